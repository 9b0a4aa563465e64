// Blob downloads redirected to object storage whose presigned URLs refuse Authorization, refuse
// HEAD and expire: regmirror never HEADs them, never sends credentials there, and asks the
// registry once more for a fresh URL; real registries behind the personality on both sides,
// skopeo judging every digest.
import { after, before, test } from 'node:test';
import { RegistryResponseError } from '../../../src/types/errors.js';
import { admin, testClient } from '../registry/helpers.js';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { startObjectStore, type ObjectStore } from '../../harness/personalities/object-store.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush, digestDifferences } from '../reliability/helpers.js';
import { MiB, open, seedLarge } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry; // htpasswd, like quay.io
let target: RunningRegistry;
let srcStore: ObjectStore;
let targetStore: ObjectStore;
let pSrc: FaultProxy;
let pTarget: FaultProxy;

before(async () => {
  [src, target] = await Promise.all([startRegistry({ auth: 'htpasswd', tls: true }), startRegistry({ tls: true })]);
  const admin = { username: 'admin', password: src.users.admin! };
  // Every blob's first URL has expired by the time it is used.
  srcStore = await startObjectStore(src.url, { upstreamCa: src.caFile, upstreamAuth: admin, expired: 'first' });
  targetStore = await startObjectStore(target.url, { upstreamCa: target.caFile });
  pSrc = await proxyFor(src, { personalities: [srcStore.personality] });
  pTarget = await proxyFor(target, { personalities: [targetStore.personality] });
  const base = { sharedBaseBytes: 64 * 1024, baseSeed: 'distroless', platforms: 2, format: 'oci' } as const;
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1'], layerBytes: 100_000, signature: true, ...base });
  await seedLarge(adminPush(src), 'jetstack/big', ['v1.0.0'], 6 * MiB);
  // The target already holds the base layers: their HEADs are answered with a redirect.
  await seedImage(open(target), { repository: 'cert-manager/app', tags: ['v0.9.0'], seed: 'older', ...base });
});

after(async () => {
  await Promise.all([pSrc, pTarget, srcStore, targetStore].map((x) => x?.close()));
  await Promise.all([src, target].map((r) => r && destroyRegistry(r)));
});

test('a sync and a deep verify through presigned, expiring object-store URLs', async () => {
  const dir = await scratchDir('object-store');
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/cert-manager]
  tags: { exclude: ["^v0\\\\."] }
${registriesYaml([[src, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }' }], target])}images:
  - source: ${src.host}/jetstack/app
  - source: ${src.host}/jetstack/big
`);
  const endpoints = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${target.host}=${pTarget.url}`];
  const env = { SRC_USER: 'admin', SRC_PASS: src.users.admin! };
  const run = await runCli(['sync', '-c', config, ...endpoints, '--no-progress', '-v'], { env });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);

  assert.ok(srcStore.redirects.size > 0, 'source blobs came from the object store');
  assert.deepEqual([...srcStore.redirects.values()].filter((n) => n !== 2), [], 'each blob: one expired URL, then exactly one fresh one');
  assert.deepEqual(srcStore.requests.filter((r) => r.method !== 'GET' || r.authorization), [], 'no HEAD and no credentials at the store');
  assert.equal(srcStore.requests.filter((r) => r.status === 403).length, srcStore.redirects.size);
  const refreshed = run.stderr.split('\n').filter((l) => /refused the URL .* redirected .* \(403, expired\?\): asking .* for a fresh one/.test(l));
  assert.equal(refreshed.length, srcStore.redirects.size, 'each expired URL was replaced within the same download, not by a retry of the copy');
  // The sync checks a registry's blobs by HEAD only until its first upload there shows that it
  // honours mounts (self-mounts after that), so whether a blob already at the target came up in
  // those first checks depends on the order: ask for one as such a check does.
  const client = testClient(target, undefined, { endpoints: new Map([[target.host, pTarget.url]]) });
  try {
    const older = client.repository(target.host, 'cert-manager/app', 'pull');
    const before = pTarget.stats.log.length;
    assert.equal(await older.exists(await firstBlob(older, 'v0.9.0')), true);
    assert.ok(pTarget.stats.log.slice(before).some((e) => e.method === 'HEAD' && e.status === 307), 'a blob already at the target was found by its redirect');
  } finally {
    await client.close();
  }
  assert.deepEqual(targetStore.requests, [], 'nothing followed a HEAD redirect to the store');
  assert.doesNotMatch(run.stderr, /X-Amz-Signature/, 'signed URLs are secrets: -v shows no query');
  for (const repo of ['app', 'big']) {
    const { wrong } = await digestDifferences(src, `jetstack/${repo}`, [[target, `cert-manager/${repo}`]]);
    assert.deepEqual(wrong, []);
  }

  const verify = await runCli(['verify', '--deep', '-c', config, ...endpoints, '--no-progress'], { env });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  assert.deepEqual(targetStore.requests, []);
});

test('a store that refuses even the fresh URL: one error naming the registry, the blob and the store', async () => {
  const store = await startObjectStore(src.url, { upstreamCa: src.caFile, upstreamAuth: { username: 'admin', password: src.users.admin! }, expired: 'all' });
  const proxy = await proxyFor(src, { personalities: [store.personality] });
  const client = testClient(src, admin(src), { endpoints: new Map([[src.host, proxy.url]]) });
  try {
    const repo = client.repository(src.host, 'jetstack/app', 'pull');
    const config = await firstBlob(repo);
    await assert.rejects(repo.fetchBlob(config), (e: unknown) => {
      assert.ok(e instanceof RegistryResponseError);
      assert.match(e.message, new RegExp(`${src.host} redirected blob ${config.digest} of jetstack/app to ${store.url}, which refused it \\(403\\) even with a fresh URL; .*check this machine's clock`));
      assert.doesNotMatch(e.message, /X-Amz-Signature/);
      return true;
    });
    assert.equal(store.redirects.get(config.digest), 2, 'one fresh URL asked for, no more');
  } finally {
    await client.close();
    await Promise.all([proxy.close(), store.close()]);
  }
});

test('a store that refuses every URL, engine: skopeo: the line says a store may refuse, not that the credentials may not pull', async () => {
  // personalities4: skopeo said 'Error fetching blob: invalid status code from registry 403
  // (Forbidden): check that the credentials used for HOST … may pull from jetstack/big', where
  // those credentials had just read the manifest and the 403 was the store's.
  const store = await startObjectStore(src.url, { upstreamCa: src.caFile, upstreamAuth: { username: 'admin', password: src.users.admin! }, expired: 'all' });
  const proxy = await proxyFor(src, { personalities: [store.personality] });
  try {
    const config = await writeConfig(await scratchDir('object-store-skopeo'), `version: 1
defaults:
  engine: skopeo
  targets: [${target.host}/refused]
${registriesYaml([[src, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }' }], target])}images:
  - source: ${src.host}/jetstack/big
`);
    const run = await runCli(['sync', '-c', config, '--endpoint', `${src.host}=${proxy.url}`, '--no-progress'], { env: { SRC_USER: 'admin', SRC_PASS: src.users.admin! } });
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    const line = run.stderr.split('\n').find((l) => l.includes('jetstack/big:v1.0.0 →')) ?? '';
    assert.match(line, /failed — source [^ ]+\/jetstack\/big: skopeo: .*fetching blob: invalid status code from registry 403 \(Forbidden\) \(/i);
    assert.doesNotMatch(line, /check that the credentials/);
    assert.match(line, /not the credentials, which read its manifest: .*object storage .*presigned URLs .*expire.*check this machine's clock and run again; `engine: native` names the store that refused it/);
    assert.ok(store.requests.length > 0, 'skopeo was redirected to the store');
  } finally {
    await Promise.all([proxy.close(), store.close()]);
  }
});

test('a large layer whose store download is cut twice, from a registry on HTTP/2: resumed with Range on fresh URLs, only the missing bytes read again', { timeout: 600_000 }, async (t) => {
  const size = 64 * MiB;
  await seedLarge(adminPush(src), 'jetstack/huge', ['v1.0.0'], size);
  const store = await startObjectStore(src.url, { upstreamCa: src.caFile, upstreamAuth: { username: 'admin', password: src.users.admin! }, expired: 'first', cut: { times: 2, afterBytes: 24 * MiB } });
  const proxy = await proxyFor(src, { http2: true, personalities: [store.personality] });
  try {
    const config = await writeConfig(await scratchDir('object-store-cut'), `version: 1
defaults:
  targets: [${target.host}/cut]
${registriesYaml([[src, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }' }], target])}images:
  - source: ${src.host}/jetstack/huge
`);
    const run = await runCli(['sync', '-c', config, '--endpoint', `${src.host}=${proxy.url}`, '--no-progress', '-v'], { env: { SRC_USER: 'admin', SRC_PASS: src.users.admin! } });
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    const large = store.requests.filter((r) => r.status === 200 || r.status === 206).filter((r) => (r.bytes ?? 0) > MiB || r.range);
    assert.deepEqual(large.map((r) => r.status), [200, 206, 206], 'one read from the start, two resumes');
    assert.ok(large.slice(1).every((r) => /^bytes=\d+-$/.test(r.range ?? '')));
    const read = large.reduce((n, r) => n + (r.bytes ?? 0), 0);
    t.diagnostic(`bytes sent by the store: ${large.map((r) => r.bytes).join(' + ')} = ${read} for a ${size}-byte layer`);
    assert.ok(read < size + 24 * MiB, 'a restart from zero would read the cut bytes again');
    assert.deepEqual(store.requests.filter((r) => r.method !== 'GET' || r.authorization), [], 'no HEAD and no credentials at the store');
    assert.deepEqual((await digestDifferences(src, 'jetstack/huge', [[target, 'cut/huge']])).wrong, []);
  } finally {
    await Promise.all([proxy.close(), store.close()]);
  }
});

/** The config descriptor of the first platform image of `tag` (jetstack/app:v1.0.0 by default). */
async function firstBlob(repo: ReturnType<ReturnType<typeof testClient>['repository']>, tag = 'v1.0.0') {
  const index = JSON.parse(Buffer.from((await repo.fetchManifest(tag)).bytes).toString('utf8')) as { manifests: { digest: string }[] };
  const image = JSON.parse(Buffer.from((await repo.fetchManifest(index.manifests[0]!.digest)).bytes).toString('utf8')) as { config: { mediaType: string; digest: string; size: number } };
  return image.config;
}
