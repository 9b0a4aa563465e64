// Upload sessions a run leaves behind are cancelled (registry/upload-cancel.ts): a registry keeps
// each one, with the bytes a cut upload left in it, until it purges them (distribution: a week).
// Counted where distribution keeps them, its repositories' _uploads directories:
// - a blob PUT answered 502 by a front end that lost its backend: the copier uploads again in a
//   new session, and the first is cancelled (DELETE, 204);
// - a chunked upload started again with smaller chunks (a chunk refused 413 mid-session): its
//   session is cancelled where its last PATCH's answer left it (sent to the Location the session
//   started at, whose _state is outdated, the DELETE was answered 404 and the session kept);
// - a blob the source cannot give (404): the session opened for it (a self-mount's 202 at a cold
//   target, or the POST sent while it is read) is taken by no push, and the run's end cancels it,
//   though the tag fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { passOn, relay } from '../../harness/personalities/upstream-reply.js';
import { MiB, mirrorsYaml, open, seedLarge } from '../personalities/fixtures.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let app: SeededImage;
let broken: SeededImage;
let big: Map<string, string>;
let cutPut: string | undefined;
let refusedSession: string | undefined;

const BLOB_PUT = /\/v2\/mirror\/app\/blobs\/uploads\/[^?]+\?(?:.*&)?digest=/i;
const cutFirstPut: Personality = async (ex) => {
  if (ex.method !== 'PUT' || !BLOB_PUT.test(ex.path) || cutPut !== undefined) return false;
  await ex.readBody();
  cutPut = ex.path;
  ex.fail(502, 'UNAVAILABLE', 'bad gateway');
  return true;
};
/** A front end demanding chunks of 256 KiB to 1 MiB on mirror/big's sessions, that refuses (413) the first chunk past a session's first. */
const chunkedThenRefused: Personality = async (ex) => {
  if (!ex.path.startsWith('/v2/mirror/big/blobs/uploads/')) return false;
  if (ex.method === 'POST') {
    relay(ex, await ex.fetch('POST', ex.path, { ...passOn(ex), 'content-length': '0' }), { set: { 'oci-chunk-min-length': String(MiB / 4), 'oci-chunk-max-length': String(MiB) } });
    return true;
  }
  const start = Number(/^(?:bytes )?(\d+)-/.exec(String(ex.req.headers['content-range'] ?? ''))?.[1] ?? 0);
  if (ex.method !== 'PATCH' || refusedSession !== undefined || start === 0) return false;
  await ex.readBody();
  refusedSession = ex.path.split('?')[0];
  ex.fail(413, 'SIZE_INVALID', 'request entity too large');
  return true;
};
/** The source's front end answers 404 for one blob of jetstack/broken, every time. */
const lostBlob: Personality = (ex) => {
  if (ex.method !== 'GET' || !ex.path.startsWith(`/v2/jetstack/broken/blobs/${broken.blobDigests.at(-1)}`)) return false;
  ex.fail(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
  return true;
};

/**
 * Upload sessions distribution holds open for `repository`: directories under its _uploads with
 * their `startedat` (and the bytes so far, `data`). A cancel removes the directory, and
 * distribution 2.8 then writes the session's hash state back into it as its handler closes the
 * upload: a stub without either, which no client can resume.
 */
async function sessionsAt(reg: RunningRegistry, repository: string): Promise<number> {
  const dir = join(reg.dataDir, 'docker', 'registry', 'v2', 'repositories', repository, '_uploads');
  const files = await readdir(dir, { recursive: true }).catch(() => []);
  return files.filter((f) => f.endsWith('/startedat')).length;
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [lostBlob] }), proxyFor(dst, { personalities: [cutFirstPut, chunkedThenRefused] })]);
  [app] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 }) as [SeededImage];
  big = await seedLarge(open(src), 'jetstack/big', ['v1'], 3 * MiB);
  [broken] = await seedImage({ url: src.url }, { repository: 'jetstack/broken', tags: ['v1.0.0'], format: 'docker', platforms: 1 }) as [SeededImage];
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a blob PUT answered 502: uploaded again in a new session, the first cancelled; none left at the registry', async () => {
  const dir = await scratchDir('upload-cancel-put');
  const config = await writeConfig(dir, oneMirrorYaml(src, dst, 'jetstack/app'));
  const run = await runCli(['sync', '-c', config, '-v', '--endpoint', `${dst.host}=${pDst.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok(cutPut, 'the proxy cut a blob PUT');
  assert.equal(await sessionsAt(dst, 'mirror/app'), 0, 'no upload session left at the registry');
  const session = cutPut!.split('?')[0]!;
  const deletes = pDst.stats.log.filter((e) => e.method === 'DELETE');
  assert.deepEqual(deletes.map((e) => [e.path.split('?')[0], e.status]), [[session, 204]], 'the cut session, cancelled once');
  assert.match(run.stderr, /upload session \S+ left behind, cancelled: 204/);
  assert.equal(await skopeoDigestVerified(`${dst.host}/mirror/app:v1.0.0`, dst.certDir!), app.digest);
});

test('a chunked upload started again with smaller chunks: its session cancelled where its last PATCH left it', async () => {
  const dir = await scratchDir('upload-cancel-chunked');
  const config = await writeConfig(dir, mirrorsYaml(src, dst, 'mirror', ['jetstack/big']));
  const before = pDst.stats.log.length;
  const run = await runCli(['sync', '-c', config, '-v', '--endpoint', `${dst.host}=${pDst.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok(refusedSession, 'a chunk past the first was refused');
  assert.equal(await sessionsAt(dst, 'mirror/big'), 0, 'no upload session left at the registry');
  const deletes = pDst.stats.log.slice(before).filter((e) => e.method === 'DELETE');
  assert.deepEqual(deletes.map((e) => [e.path.split('?')[0], e.status]), [[refusedSession, 204]], 'cancelled with the newest Location');
  assert.equal(await skopeoDigestVerified(`${dst.host}/mirror/big:v1`, dst.certDir!), big.get('v1'));
});

test('a blob the source cannot give: the session opened for it is cancelled at the run\'s end', async () => {
  const dir = await scratchDir('upload-cancel-source');
  const config = await writeConfig(dir, oneMirrorYaml(src, dst, 'jetstack/broken'));
  const before = pDst.stats.log.length;
  const run = await runCli(['sync', '-c', config, '-v', '--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`]);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.equal(await sessionsAt(dst, 'mirror/broken'), 0, 'no upload session left at the registry');
  const log = pDst.stats.log.slice(before);
  // Sessions open from a self-mount's 202 (the first check of a blob at a cold target) or a POST.
  const opened = log.filter((e) => e.method === 'POST' && e.status === 202).length;
  const pushed = log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/')).length;
  assert.ok(opened > pushed, `a session no push took: ${opened} opened, ${pushed} pushed`);
  assert.deepEqual(log.filter((e) => e.method === 'DELETE').map((e) => e.status), Array(opened - pushed).fill(204), 'each cancelled at the run\'s end');
  assert.match(run.stderr, /upload session \S+ left behind, cancelled: 204/);
});
