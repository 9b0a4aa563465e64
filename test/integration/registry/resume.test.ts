// Issue 9: a large blob download that breaks mid-stream resumes with a Range request from the bytes
// already read (counted at the proxy), or reads again from the start when the server ignores
// Range; either way the upload to the target runs once, never restarted from zero.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { pushBlob, pushManifest } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

const MiB = 1024 * 1024;
let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;

/** `size` bytes from a cheap pattern: one random MiB repeated, each copy stamped with its index. */
function patterned(size: number): Buffer {
  const block = randomBytes(MiB);
  const out = Buffer.allocUnsafe(size);
  for (let at = 0, i = 0; at < size; at += MiB, i++) {
    block.copy(out, at, 0, Math.min(MiB, size - at));
    if (size - at >= 4) out.writeUInt32BE(i, at);
  }
  return out;
}

/** Pushes an image whose one layer is `size` bytes; returns the manifest and layer digests. */
async function seedLarge(repository: string, tag: string, size: number): Promise<{ manifest: string; layer: string }> {
  const push = { url: source.url };
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const [configDigest, layer] = await Promise.all([pushBlob(push, repository, config), pushBlob(push, repository, patterned(size))]);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size }],
  }));
  await pushManifest(push, repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { manifest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, layer };
}

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('resume');
});

after(async () => {
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

/** Syncs `repository` from the source (through `proxy`) to the target; returns the CLI run. */
async function syncThrough(proxy: FaultProxy, repository: string) {
  const file = await writeConfig(join(dir, repository), oneMirrorYaml(source, target, repository));
  return runCli(['sync', '-c', file, '-v', '--no-progress', '--endpoint', `${source.host}=${proxy.url}`], { timeoutMs: 600_000 });
}

/** How many times the target was sent the blob (a PUT closing an upload with its digest). */
async function uploadsOf(digest: string): Promise<number> {
  return (await readFile(target.logPath, 'utf8')).split('\n').filter((l) => l.includes('"PUT /v2/mirror/') && l.includes(digest.slice("sha256:".length))).length;
}

/**
 * Seeds jetstack/`name` with one `size`-byte layer, has the proxy cut the first `times` reads of
 * it after `afterBytes`, and syncs through the proxy, which must succeed; returns what happened.
 */
async function syncWithCuts(name: string, size: number, cut: { times: number; afterBytes: number }, personalities: Personality[] = [], http2: boolean | 'only' = false) {
  const { manifest, layer } = await seedLarge(`jetstack/${name}`, 'v1.0.0', size);
  const tls = http2 ? { tls: { ...(await testCerts()).servers.good, http2 } } : {};
  const proxy = await startFaultProxy(source.url, { upstreamCa: source.caFile, personalities, ...tls });
  try {
    proxy.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), times: cut.times, fault: { kind: 'cut', afterBytes: cut.afterBytes } });
    const run = await syncThrough(proxy, `jetstack/${name}`);
    assert.equal(run.exitCode, 0, run.stderr.split('\n').filter((l) => !/^debug: (GET|HEAD|PUT|POST|PATCH) /.test(l)).join('\n'));
    const gets = proxy.stats.log.filter((e) => e.method === 'GET' && e.path.endsWith(`/blobs/${layer}`));
    return { manifest, layer, run, gets, cuts: proxy.stats.injected.cut };
  } finally {
    await proxy.close();
  }
}

test('a 256 MiB layer cut twice mid-stream: only the missing bytes are read again (Range), the upload runs once', { timeout: 900_000 }, async (t) => {
  const size = 256 * MiB;
  const { manifest, layer, run, gets, cuts } = await syncWithCuts('big', size, { times: 2, afterBytes: 96 * MiB });
  assert.equal(gets.length, 3, 'the first read and two resumes');
  assert.equal(cuts, 2);
  assert.deepEqual(gets.map((g) => g.status), [200, 206, 206]);
  const read = gets.reduce((n, g) => n + (g.bytes ?? 0), 0);
  t.diagnostic(`bytes sent by the proxy per GET: ${gets.map((g) => g.bytes).join(' + ')} = ${read} for a ${size}-byte blob`);
  // A restart from zero would read 256 + 96 + 192 MiB; a resume loses at most what sat in buffers when the socket died.
  assert.ok(read >= size && read < size + 8 * MiB, `read ${read} bytes at the proxy for a ${size}-byte blob`);
  assert.match(run.stderr, /broke after \d+ of 268435456 bytes .*resuming with Range/);
  assert.equal(await uploadsOf(layer), 1, 'the target received the blob once');
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/big:v1.0.0`, target.certDir!), manifest);
});

test('over HTTP/2, a layer whose connection is cut twice mid-stream resumes with Range too (undici ends such a body without an error)', { timeout: 600_000 }, async (t) => {
  const size = 48 * MiB;
  const versions = new Set<string>();
  const seen: Personality = (ex) => { versions.add(ex.req.httpVersion); return false; };
  // A front end that speaks only HTTP/2: large blobs are otherwise read over HTTP/1.1 (blobs.ts).
  const { manifest, layer, run, gets, cuts } = await syncWithCuts('h2cut', size, { times: 2, afterBytes: 16 * MiB }, [seen], 'only');
  assert.deepEqual([...versions], ['2.0'], 'every request reached the proxy over HTTP/2');
  assert.equal(cuts, 2);
  assert.deepEqual(gets.map((g) => g.status), [200, 206, 206], 'the first read and two resumes, never a read from the start');
  const read = gets.reduce((n, g) => n + (g.bytes ?? 0), 0);
  t.diagnostic(`bytes sent by the proxy per GET: ${gets.map((g) => g.bytes).join(' + ')} = ${read} for a ${size}-byte blob`);
  assert.ok(read >= size && read < size + 8 * MiB, `read ${read} bytes at the proxy for a ${size}-byte blob`);
  assert.match(run.stderr, /broke after \d+ of 50331648 bytes .*resuming with Range/);
  assert.equal(await uploadsOf(layer), 1, 'the target received the blob once');
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/h2cut:v1.0.0`, target.certDir!), manifest);
});

test('a server that ignores Range: the blob is read again from the start and its first bytes skipped; the upload still runs once', { timeout: 600_000 }, async () => {
  const size = 24 * MiB;
  const ignoreRange: Personality = (ex) => {
    delete ex.req.headers.range;
    return false;
  };
  const { manifest, layer, run, gets } = await syncWithCuts('norange', size, { times: 1, afterBytes: 8 * MiB }, [ignoreRange]);
  assert.deepEqual(gets.map((g) => g.status), [200, 200], 'the cut read, then a full read (Range ignored)');
  assert.equal(gets[1]!.bytes, size);
  assert.match(run.stderr, /Range ignored \(200\); reading again from the start/);
  assert.equal(await uploadsOf(layer), 1, 'the target received the blob once');
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/norange:v1.0.0`, target.certDir!), manifest);
});

test('a link that drops every 2 MiB still delivers a 24 MiB layer: each break after real progress earns a fresh budget', { timeout: 600_000 }, async () => {
  // Ten breaks, twice the default budget of five (maxAttempts) in a row.
  const { manifest, layer, gets } = await syncWithCuts('flaky', 24 * MiB, { times: 10, afterBytes: 2 * MiB });
  assert.deepEqual(gets.map((g) => g.status), [200, ...Array(10).fill(206)], 'one read resumed ten times, never started again');
  assert.equal(await uploadsOf(layer), 1, 'the target received the blob once');
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/flaky:v1.0.0`, target.certDir!), manifest);
});

test('a read that keeps breaking without progress aborts its upload mid-body (to an HTTP/2 registry); the copy is tried again and finishes', { timeout: 600_000 }, async () => {
  // The first read and its five resumes each break after 256 KiB (no progress: the budget runs
  // out and the upload streaming it is aborted); the second attempt's read breaks once more.
  const { manifest, layer, cuts } = await syncWithCuts('stuck', 24 * MiB, { times: 7, afterBytes: 256 * 1024 });
  assert.equal(cuts, 7);
  const puts = (await readFile(target.logPath, 'utf8')).split('\n').filter((l) => l.includes('"PUT /v2/mirror/stuck/blobs/uploads/') && l.includes(layer.slice('sha256:'.length)));
  assert.ok(puts.length >= 2 && puts.every((l) => l.includes('HTTP/1.1')), `the layer's streamed uploads, the aborted one too, went on HTTP/1.1:\n${puts.join('\n')}`);
  assert.equal(await skopeoDigestVerified(`${target.host}/mirror/stuck:v1.0.0`, target.certDir!), manifest);
});
