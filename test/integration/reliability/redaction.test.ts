// No credential in output, -v logs, errors or reports: distinctive passwords, an identity token
// from Docker's config, a registry token from the environment and every token the token server
// issued must not show up anywhere, on success, on an auth failure, or through a CDN redirect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { runCli, writeConfig, type CliResult } from '../../harness/cli.js';
import { adminPush, digestDifferences, leaks } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

const SRC_PASS = 'Pw-htpasswd-9f8e7d6c5b4a';
const WRONG_PASS = 'Wrong-pass-zz9y8x7w6v';
const TOKEN_USER_PASS = 'Pw-token-1a2b3c4d5e6f';
const IDENTITY_TOKEN = 'IdTok-0123456789abcdef-refresh';

let src: RunningRegistry; // htpasswd, user robot
let tid: RunningRegistry; // token auth; regmirror holds an identity token from Docker's config
let treg: RunningRegistry; // token auth; regmirror holds a registry token from the environment
let proxy: FaultProxy; // redirects source blob downloads to the CDN
let dir: string;
let dockerConfig: string;
let registryToken: string;
let file: string;

const secrets = () => [SRC_PASS, WRONG_PASS, TOKEN_USER_PASS, IDENTITY_TOKEN, registryToken, encodeURIComponent(IDENTITY_TOKEN)];
const pairs = (): [string, string][] => [['robot', SRC_PASS], ['robot', WRONG_PASS], ['admin', TOKEN_USER_PASS]];
const env = (pass = SRC_PASS) => ({ SRC_USER: 'robot', SRC_PASS: pass, T_TOKEN: registryToken, DOCKER_CONFIG: dockerConfig });

before(async () => {
  [src, tid, treg] = await Promise.all([
    startRegistry({ auth: 'htpasswd', users: { robot: SRC_PASS, admin: SRC_PASS }, tls: true }),
    startRegistry({ auth: 'token', users: { admin: TOKEN_USER_PASS }, refreshTokens: { [IDENTITY_TOKEN]: 'admin' }, tls: true }),
    startRegistry({ auth: 'token', users: { admin: TOKEN_USER_PASS }, tls: true }),
  ]);
  proxy = await proxyFor(src, { cdnAuth: { username: 'robot', password: SRC_PASS } });
  dir = await scratchDir('redaction');
  dockerConfig = join(dir, 'docker');
  await writeConfig(dockerConfig, JSON.stringify({ auths: { [tid.host]: { identitytoken: IDENTITY_TOKEN } } }), 'config.json');
  registryToken = await bearerFor(treg, 'repository:cert-manager/app:pull,push');
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1'], format: 'oci', platforms: 2, signature: true });
  file = await writeConfig(dir, `version: 1
defaults:
  targets: [${tid.host}/cert-manager, ${treg.host}/cert-manager]
registries:
  ${tid.host}:
    caFile: ${tid.caFile}
  ${src.host}:
    caFile: ${src.caFile}
    credentials: { usernameEnv: SRC_USER, passwordEnv: SRC_PASS }
  ${treg.host}:
    caFile: ${treg.caFile}
    credentials: { tokenEnv: T_TOKEN }
images:
  - source: ${src.host}/jetstack/app
`);
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, tid, treg].map((r) => r && destroyRegistry(r)));
});

function assertClean(what: string, ...texts: string[]): void {
  assert.deepEqual(leaks(texts.join('\n'), secrets(), pairs()), [], `${what} leaks a credential`);
}

const endpoint = () => ['--endpoint', `${src.host}=${proxy.url}`];

test('sync -v and verify -v (table and JSON) through a CDN redirect print no credential', async () => {
  proxy.redirectBlobsToCdn(Infinity);
  const report = join(dir, 'sync.json');
  const sync = await runCli(['sync', '-v', '-c', file, ...endpoint(), '--report', report], { env: env() });
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  assert.ok(sync.stderr.split('\n').length > 20, '-v printed the requests');
  assert.ok(proxy.cdn.requests.length > 0, 'blobs came through the CDN');
  assert.deepEqual(proxy.cdn.authorizationHeadersSeen, []);
  assert.ok(tid.tokenServer!.issued > 0 && treg.auth === 'token', 'tokens were issued');
  assertClean('sync -v', sync.stdout, sync.stderr, await readFile(report, 'utf8'));
  assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[tid, 'cert-manager/app'], [treg, 'cert-manager/app']])).wrong, []);

  const json = join(dir, 'verify.json');
  const verify = await runCli(['verify', '-v', '-c', file, ...endpoint(), '--format', 'json', '-o', json], { env: env() });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  const table = await runCli(['verify', '-v', '--deep', '-c', file, ...endpoint()], { env: env() });
  assert.equal(table.exitCode, 0, table.stderr + table.stdout);
  assertClean('verify -v', verify.stdout, verify.stderr, await readFile(json, 'utf8'), table.stdout, table.stderr);
});

test('auth failures (wrong password, revoked identity token, a token that is not a JWT) print no credential', async () => {
  const runs: CliResult[] = [];
  const wrong = await runCli(['sync', '-v', '-c', file, ...endpoint(), '--report', join(dir, 'wrong.json')], { env: env(WRONG_PASS) });
  assert.notEqual(wrong.exitCode, 0);
  assert.match(wrong.stderr + wrong.stdout, /401|unauthori[sz]ed|denied|authentication/i, 'says why');
  runs.push(wrong);
  // The identity token no longer accepted by the token server.
  const revoked = join(dir, 'docker-revoked');
  await writeConfig(revoked, JSON.stringify({ auths: { [tid.host]: { identitytoken: `${IDENTITY_TOKEN}-revoked` } } }), 'config.json');
  const refused = await runCli(['verify', '-v', '-c', file, ...endpoint()], { env: { ...env(), DOCKER_CONFIG: revoked } });
  assert.notEqual(refused.exitCode, 0);
  runs.push(refused);
  const garbage = await runCli(['sync', '-v', '-c', file, ...endpoint()], { env: { ...env(), T_TOKEN: 'NotAJwt-but-secret-42424242' } });
  assert.notEqual(garbage.exitCode, 0);
  runs.push(garbage);
  for (const run of runs) assertClean('a failing run', run.stdout, run.stderr);
  for (const run of runs) assert.ok(!(run.stdout + run.stderr).includes('NotAJwt-but-secret-42424242'), 'the registry token leaked');
  assertClean('the report of a failing run', await readFile(join(dir, 'wrong.json'), 'utf8').catch(() => ''));
});
