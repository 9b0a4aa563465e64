// Token services that are not distribution's, in front of a real token server (personality
// token-service.ts): an OAuth2 endpoint that takes grants by POST only, and a single sign-on page
// answering in a token's place. A real TLS registry with token auth; skopeo checks what landed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { tokenService, type TokenServiceQuirks } from '../../harness/personalities/token-service.js';
import { adminPush } from '../reliability/helpers.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { middlebox } from '../../harness/personalities/middlebox.js';

let source: RunningRegistry;
let target: RunningRegistry;
let images: SeededImage[];
let dir: string;
let proxy: FaultProxy;
const quirks: TokenServiceQuirks = { seen: {} };

before(async () => {
  [source, target] = await Promise.all([startRegistry({ auth: 'token', tls: true, realmPersonalities: [tokenService(quirks)] }), startRegistry({ tls: true })]);
  images = await seedImage(adminPush(source), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  dir = await scratchDir('token-service');
  proxy = await proxyFor(source, { personalities: [middlebox({ dropChallenge: true })] });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

async function sync(name: string, q: Omit<TokenServiceQuirks, 'seen'>, from: { host: string; caFile?: string } = source) {
  Object.assign(quirks, { postOnly: false, loginPage: false, down: false, redirectElsewhere: false, seen: {} }, q);
  const config = await writeConfig(join(dir, name), `version: 1
defaults:
  targets: [${target.host}/${name}]
${registriesYaml([[{ host: from.host, caFile: source.caFile }, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }' }], target])}images:
  - source: ${from.host}/jetstack/app
`);
  return runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000, env: { SRC_USER: 'admin', SRC_PASS: source.users.admin! } });
}

test('a token endpoint that takes only POST (OAuth2 password grant): asked by POST after its 405, once for the registry', async () => {
  const run = await sync('post-only', { postOnly: true });
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/post-only/app:${image.tag}`), image.digest);
  assert.equal(quirks.seen?.GET, 1, 'one GET, refused; then POST only');
  assert.ok((quirks.seen?.POST ?? 0) >= 1);
});

test('a sign-on page in the token\'s place: one line saying so and what the machine needs, not asked again', async () => {
  const run = await sync('login-page', { loginPage: true });
  // The only source unread: nothing could be done (exit 3, as for its token service down), not "failures left" (1).
  assert.equal(run.exitCode, 3, run.stdout + run.stderr);
  assert.match(run.stdout, /the token service at http:\/\/127\.0\.0\.1:\d+\/token answered 200 OK, an HTML page \(a proxy or login portal answered for it\), not a token: this machine must reach 127\.0\.0\.1:\d+ without signing in/);
  assert.equal(quirks.seen?.GET, 1);
});

test('the token service down (its load balancer\'s 503 page): the line says it is down and to rerun, not to sign in', async () => {
  // At 3 a.m. the line sent the release engineer to ask for a proxy exemption ("without signing
  // in") for a token service that was merely down; a rerun once it is back is what finishes the job.
  const run = await sync('token-down', { down: true });
  assert.equal(run.exitCode, 3, run.stdout + run.stderr);
  assert.match(run.stderr, /the token service at http:\/\/127\.0\.0\.1:\d+\/token answered 503 Service Unavailable, an HTML page \(a proxy or load balancer in front of it answered\): it is down; rerun once it answers/);
  assert.doesNotMatch(run.stdout + run.stderr, /signing in|login portal/);
  const back = await sync('token-down', {});
  assert.equal(back.exitCode, 0, back.stdout + back.stderr);
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/token-down/app:${image.tag}`), image.digest);
});

test('a proxy that drops WWW-Authenticate from 401s: the line says no challenge came and who may have dropped it', async () => {
  const run = await sync('no-challenge', {}, proxy);
  assert.equal(run.exitCode, 3, run.stdout + run.stderr);
  assert.match(run.stdout, /tags\/list: unauthorized \(UNAUTHORIZED: authentication required\), with no WWW-Authenticate header to say how to authenticate \(registries send one: a proxy in front of it may drop it, or answer in its place\)/);
});

// newuser2 hunt: a realm that redirects to another origin (the token server itself, on another
// port). The credentials stay with the realm's origin, the token given there without them grants
// nothing, and the line read 'repository absent or access denied (GET answered 401 after
// authenticating): check the repository name and that the credentials used … may pull from it'.
test('a token service that redirects to another origin: the line names the redirect, not the credentials', async () => {
  const run = await sync('redirect-elsewhere', { redirectElsewhere: true });
  assert.equal(run.exitCode, 3, run.stderr + run.stdout);
  assert.match(run.stderr, /access denied \(GET answered 401\) to a token fetched without the credentials for [\d.:]+: its token service at http:\/\/127\.0\.0\.1:\d+\/token redirected to http:\/\/127\.0\.0\.1:\d+, another origin, where regmirror sends no credentials \(they stay with the realm's origin\): name the URL it redirects to as the registry's token realm/);
  assert.doesNotMatch(run.stderr, /check the repository name/);
  assert.ok(!(run.stdout + run.stderr).includes(source.users.admin!), 'the password is never printed');
});
