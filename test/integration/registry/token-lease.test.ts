// A request waits for a slot with the token it was given when it queued; a backfill's uploads can
// wait longer than a token lives. Sent as it was, the request drew a 401, its replay (queued
// again) another, and that second 401 read as "repository absent or access denied" for the rest
// of the run. A token that came due while its request queued is renewed before the request goes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { tokenExpiry } from '../../harness/personalities/token-expiry.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { adminPush, skopeoCreds } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

// Tokens live 2 s (honoured until 1 s past exp); each upload PUT takes 3.5 s, one at a time.
const strict = tokenExpiry(3500);
let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
let image: SeededImage;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'token', tls: true, expiresIn: 2 })]);
  proxy = await proxyFor(dst, { personalities: [strict.play] });
  dir = await scratchDir('token-lease');
  image = (await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }))[0]!;
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('uploads queued longer than their token lives go out with a renewed token, and the copy finishes', { timeout: 120_000 }, async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }', concurrency: 1 }]])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--endpoint', `${dst.host}=${proxy.url}`], { env: { DST_USER: 'admin', DST_PASS: dst.users.admin! }, timeoutMs: 110_000 });
  console.log(`# expired tokens refused: ${strict.stats.expired} of ${strict.stats.requests} requests`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.doesNotMatch(run.stderr, /access denied/);
  assert.equal(strict.stats.expired, 0, 'no request went out with a token already due');
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app:v1.0.0`, skopeoCreds(dst)), image.digest);
});
