// Faults on both sides of a sync (5xx, 429 + Retry-After as seconds and as an HTTP-date, resets,
// bodies cut mid-way, flipped bytes, a CDN redirect): the run must end with every digest right,
// as skopeo reads it straight from the registries, and no credential anywhere it should not be.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush, digestDifferences, faultsInjected, leaks } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry; // htpasswd, like quay.io
let a: RunningRegistry; // htpasswd target
let b: RunningRegistry; // token-auth target, like ghcr.io
let pSrc: FaultProxy;
let pA: FaultProxy;
let pB: FaultProxy;
let dir: string;
let app: SeededImage[];
let loop: SeededImage[];

const env = () => ({ SRC_USER: 'admin', SRC_PASS: src.users.admin!, A_USER: 'admin', A_PASS: a.users.admin!, B_USER: 'admin', B_PASS: b.users.admin! });
const secrets = () => [src.users.admin!, a.users.admin!, b.users.admin!];
const pairs = (): [string, string][] => [['admin', src.users.admin!], ['admin', a.users.admin!], ['admin', b.users.admin!]];
const endpoints = () => ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${a.host}=${pA.url}`, '--endpoint', `${b.host}=${pB.url}`];

function config(repo: string, attempts: { src: number; a: number; b: number }): string {
  return `version: 1
defaults:
  targets: [${a.host}/cert-manager, ${b.host}/cert-manager]
registries:
  ${src.host}:
    credentials: { usernameEnv: SRC_USER, passwordEnv: SRC_PASS }
    maxAttempts: ${attempts.src}
    caFile: ${src.caFile}
  ${a.host}:
    credentials: { usernameEnv: A_USER, passwordEnv: A_PASS }
    maxAttempts: ${attempts.a}
    caFile: ${a.caFile}
  ${b.host}:
    credentials: { usernameEnv: B_USER, passwordEnv: B_PASS }
    maxAttempts: ${attempts.b}
    caFile: ${b.caFile}
images:
  - source: ${src.host}/jetstack/${repo}
`;
}

const blobPath = (digest: string) => new RegExp(`/blobs/${digest}$`);

before(async () => {
  // TLS end to end (issue 9): the registries serve HTTPS, and so do the proxies in front of them
  // (certificates from the same test CA, which every registry entry names as caFile).
  [src, a, b] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ auth: 'token', expiresIn: 3, tls: true })]);
  const tls = (await testCerts()).servers.good;
  [pSrc, pA, pB] = await Promise.all([
    startFaultProxy(src.url, { cdnAuth: { username: 'admin', password: src.users.admin! }, tls, upstreamCa: src.caFile }),
    startFaultProxy(a.url, { tls, upstreamCa: a.caFile }),
    startFaultProxy(b.url, { tls, upstreamCa: b.caFile }),
  ]);
  dir = await scratchDir('faults');
  app = await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1', 'v1.0.2'], format: 'oci', platforms: 3, layerBytes: 150_000, signature: true });
  await seedImage(adminPush(src), { repository: 'jetstack/other', tags: ['v2.0.0', 'v2.0.1'], format: 'docker', platforms: 2, layerBytes: 20_000 });
  loop = await seedImage(adminPush(src), { repository: 'jetstack/loop', tags: ['v3.0.0'], format: 'oci', platforms: 1, layerBytes: 10_000 });
});

after(async () => {
  await Promise.all([pSrc, pA, pB].map((p) => p?.close()));
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

test('a sync through faults on every side ends with every digest right and no credential leaked', async () => {
  const [t0, t1, t2] = app as [SeededImage, SeededImage, SeededImage];
  // Source: each fault on its own blob, so one blob never meets more faults than the copier's attempts.
  pSrc.inject({ method: 'GET', path: blobPath(t0.blobDigests[1]!), fault: { kind: 'cut', afterBytes: 40_000 } });
  pSrc.inject({ method: 'GET', path: blobPath(t0.blobDigests[3]!), fault: { kind: 'cut', afterBytes: 1 } });
  pSrc.inject({ method: 'GET', path: blobPath(t0.blobDigests[5]!), fault: { kind: 'flip' } });
  pSrc.inject({ method: 'GET', path: blobPath(t1.blobDigests[0]!), fault: { kind: 'flip', atByte: 3 } });
  pSrc.inject({ method: 'GET', path: blobPath(t1.blobDigests[1]!), fault: { kind: 'reset' } });
  pSrc.inject({ method: 'GET', path: blobPath(t1.blobDigests[3]!), times: 2, fault: { kind: 'status', status: 503 } });
  for (const digest of t2.blobDigests) pSrc.inject({ method: 'GET', path: blobPath(digest), times: Infinity, fault: { kind: 'redirect', to: 'cdn' } });
  pSrc.inject({ method: 'GET', path: /\/tags\/list/, fault: { kind: 'status', status: 429, retryAfter: '1' } });
  pSrc.inject({ method: 'GET', path: /\/manifests\/v1\.0\.1$/, times: 2, fault: { kind: 'status', status: 503 } });
  pSrc.inject({ method: 'GET', path: /\/manifests\/v1\.0\.0$/, fault: { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 1500).toUTCString() } });
  pSrc.inject({ method: 'GET', path: /\/manifests\/sha256:/, skip: 2, fault: { kind: 'status', status: 500 } });
  // Target A (basic auth).
  pA.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, times: 2, fault: { kind: 'status', status: 503 } });
  pA.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 429, retryAfter: '1' } });
  pA.inject({ method: 'PUT', path: /\/blobs\/uploads\//, skip: 3, fault: { kind: 'reset' } });
  pA.inject({ method: 'HEAD', path: /\/blobs\//, fault: { kind: 'reset' } });
  pA.inject({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 503 } });
  pA.inject({ method: 'PUT', path: /\/manifests\//, skip: 2, fault: { kind: 'reset' } });
  // Target B (token auth, tokens living 3 s so they expire during the run).
  pB.inject({ method: 'GET', path: /\/tags\/list/, fault: { kind: 'status', status: 502 } });
  pB.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 408 } });
  pB.inject({ method: 'PUT', path: /\/blobs\/uploads\//, times: 2, fault: { kind: 'status', status: 503 } });
  pB.inject({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() } });
  pB.inject({ method: 'HEAD', path: /\/manifests\//, fault: { kind: 'status', status: 504 } });
  // A token refused mid-run (expired, revoked): re-authenticate once and replay.
  pB.inject({ method: 'PUT', path: /\/manifests\//, skip: 1, fault: { kind: 'status', status: 401 } });
  // (A blob check: a HEAD until the first upload has shown that mounts work there, then a self-mount.)
  pB.inject({ method: 'POST', path: /\/blobs\/uploads\/\?mount=/, skip: 2, fault: { kind: 'status', status: 401 } });

  const run = await runCli(['sync', '-c', await writeConfig(dir, config('app', { src: 6, a: 6, b: 6 })), ...endpoints(), '-v'], { env: env() });
  const injected = faultsInjected([pSrc, pA, pB]);
  console.log(`# faults injected and survived: ${injected} (${JSON.stringify([pSrc, pA, pB].map((p) => p.stats.injected))})`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(injected >= 20, `only ${injected} faults were injected`);
  assert.equal(pB.stats.log.filter((e) => e.fault === 'status' && e.status === 401).length, 2, 'both 401s were injected');
  for (const [kind, p] of [['cut', pSrc], ['flip', pSrc], ['reset', pSrc], ['redirect', pSrc], ['status', pA], ['reset', pA], ['status', pB]] as const) {
    assert.ok(p.stats.injected[kind] > 0, `no ${kind} fault reached ${p === pSrc ? 'the source' : 'a target'}`);
  }
  const { checked, wrong } = await digestDifferences(src, 'jetstack/app', [[a, 'cert-manager/app'], [b, 'cert-manager/app']]);
  assert.deepEqual(wrong, []);
  assert.equal(checked, 12, '3 tags and 3 signatures at 2 targets');
  assert.ok(pSrc.cdn.requests.length > 0, 'blob downloads went to the CDN');
  assert.deepEqual(pSrc.cdn.authorizationHeadersSeen, [], 'the CDN saw an Authorization header');
  // A corrupt blob is never pushed: a registry answers 400 (DIGEST_INVALID) to a finished upload with bad bytes.
  assert.deepEqual([...pA.stats.log, ...pB.stats.log].filter((e) => e.method === 'PUT' && e.status === 400), []);
  assert.deepEqual(leaks(run.stdout + run.stderr, secrets(), pairs()), []);
  // An upload cut at its PUT (connection reset: the registry may hold part of the bytes)
  // starts again in a fresh session, a new upload UUID. A refusal (429/503) may reuse it.
  const reused: string[] = [];
  for (const p of [pA, pB]) {
    const puts = p.stats.log.filter((e) => e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path));
    for (const bad of puts.filter((e) => e.fault === 'reset')) {
      const digest = /[?&]digest=([^&]+)/.exec(bad.path)?.[1];
      const done = puts.find((e) => e.status === 201 && e.path.includes(`digest=${digest}`));
      assert.ok(done, `the upload of ${digest} never finished`);
      if (uploadId(done.path) === uploadId(bad.path)) reused.push(`${p === pA ? 'A' : 'B'}: ${digest}`);
    }
  }
  assert.deepEqual(reused, [], 'an upload interrupted by a reset was retried in the same session');
});

const uploadId = (path: string) => /\/blobs\/uploads\/([^/?]+)/.exec(path)?.[1];

test('a target that never recovers: the other completes, exit 1 names what is left; attempts are bounded; a re-run finishes', async () => {
  for (const p of [pSrc, pA, pB]) { p.clear(); p.resetStats(); }
  pB.inject({ method: 'POST', path: /\/cert-manager\/other\/blobs\/uploads\//, times: Infinity, fault: { kind: 'status', status: 503 } });
  const file = await writeConfig(join(dir, 'other'), config('other', { src: 4, a: 4, b: 2 }));
  const run = await runCli(['sync', '-c', file, ...endpoints()], { env: env() });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.match(run.stdout + run.stderr, new RegExp(`${b.host}/cert-manager/other`));
  assert.deepEqual(leaks(run.stdout + run.stderr, secrets(), pairs()), []);
  const atA = await digestDifferences(src, 'jetstack/other', [[a, 'cert-manager/other']]);
  assert.deepEqual(atA.wrong, [], 'the healthy target completed');
  // 2 tags x 2 platforms x (config + layer) = 8 blobs; each blob: at most 3 copier attempts x maxAttempts 2.
  const refused = pB.stats.log.filter((e) => e.fault === 'status').length;
  console.log(`# never-recovering target: ${refused} upload starts refused before giving up (maxAttempts 2)`);
  assert.ok(refused > 0 && refused <= 8 * 3 * 2, `${refused} refused upload starts: attempts are not bounded by maxAttempts`);

  pB.clear();
  const again = await runCli(['sync', '-c', file, ...endpoints()], { env: env() });
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  const atB = await digestDifferences(src, 'jetstack/other', [[a, 'cert-manager/other'], [b, 'cert-manager/other']]);
  assert.deepEqual(atB.wrong, []);
  assert.equal(atB.checked, 4);
});

test('a redirect loop at the source fails its blob at once: no retry sends it round the loop again', async () => {
  for (const p of [pSrc, pA, pB]) { p.clear(); p.resetStats(); }
  const looping = loop[0]!.blobDigests[0]!;
  pSrc.inject({ method: 'GET', path: blobPath(looping), times: Infinity, fault: { kind: 'redirect', to: 'self' } });
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'loop'), config('loop', { src: 4, a: 4, b: 4 })), ...endpoints()], { env: env() });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.match(run.stdout, /more than 5 redirects/);
  // One read of the blob follows the loop for 5 redirects (6 requests); each retry would cost 6 more.
  const gets = pSrc.stats.log.filter((e) => e.method === 'GET' && blobPath(looping).test(e.path)).length;
  assert.ok(gets <= 6, `${gets} GETs of the looping blob: the loop was retried`);
});
