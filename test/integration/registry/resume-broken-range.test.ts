// Issue 9: a download that breaks is resumed with Range; a server whose Range support is broken
// (416 for a range inside the blob, or a 206 from another offset than asked, or without
// Content-Range) used to fail the read, and with it the upload streaming it to the target, which
// then started again from zero. Such a server is now read again from the start within the same
// stream, as one that ignores Range is: the upload runs once, and skopeo judges the digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { pushBlob, pushManifest, digestOf, pseudoRandomBytes } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { type Personality } from '../../harness/fault-proxy.js';
import { proxyFor, oneMirrorYaml } from '../../harness/tls-bed.js';
import { passOn, relay } from '../../harness/personalities/upstream-reply.js';
import { scratchDir } from '../../harness/scratch.js';

const MiB = 1024 * 1024;
const SIZE = 24 * MiB;
let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('broken-range');
});

after(async () => {
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

/** Pushes an image whose one layer is SIZE bytes; returns the manifest and layer digests. */
async function seed(repository: string): Promise<{ manifest: string; layer: string }> {
  const push = { url: source.url };
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const [configDigest, layer] = await Promise.all([pushBlob(push, repository, config), pushBlob(push, repository, pseudoRandomBytes(repository, SIZE))]);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: SIZE }],
  }));
  await pushManifest(push, repository, 'v1.0.0', manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { manifest: digestOf(manifest), layer };
}

/** Cuts the first read of the layer after 8 MiB, answers every range with `broken`, and syncs. */
async function syncWithBrokenRange(name: string, broken: Personality) {
  const { manifest, layer } = await seed(`jetstack/${name}`);
  const src = await proxyFor(source, { personalities: [broken] });
  const tgt = await proxyFor(target); // counts the uploads
  try {
    src.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), times: 1, fault: { kind: 'cut', afterBytes: 8 * MiB } });
    const file = await writeConfig(join(dir, name), oneMirrorYaml(source, target, `jetstack/${name}`));
    const run = await runCli(['sync', '-c', file, '-v', '--no-progress', '--endpoint', `${source.host}=${src.url}`, '--endpoint', `${target.host}=${tgt.url}`]);
    assert.equal(run.exitCode, 0, run.stderr.split('\n').filter((l) => !/^debug: (GET|HEAD|PUT|POST|PATCH) /.test(l)).join('\n'));
    const puts = tgt.stats.log.filter((e) => e.method === 'PUT' && e.path.includes(layer.slice('sha256:'.length)));
    assert.equal(puts.length, 1, 'the upload streaming the read ran once, never started again');
    assert.match(run.stderr, /Range not honoured \(\d+[^)]*\); reading again from the start/);
    assert.equal(await skopeoDigestVerified(`${target.host}/mirror/${name}:v1.0.0`, target.certDir!), manifest);
  } finally {
    await Promise.all([src.close(), tgt.close()]);
  }
}

test('a range answered 416: the layer is read again from the start within the same read', { timeout: 300_000 }, async () => {
  await syncWithBrokenRange('r416', (ex) => {
    if (!ex.req.headers.range) return false;
    ex.fail(416, 'RANGE_INVALID', 'range not satisfiable');
    return true;
  });
});

test('a range answered 206 from a later offset than asked: read again from the start, never skipped over', { timeout: 300_000 }, async () => {
  await syncWithBrokenRange('ahead', (ex) => {
    const asked = /^bytes=(\d+)-$/.exec(String(ex.req.headers.range ?? ''));
    if (!asked) return false;
    ex.forward({ headers: { range: `bytes=${Number(asked[1]) + 4096}-` } });
    return true;
  });
});

test('a range answered 206 with the asked part but a Content-Range from 0 (bigblobs hunt): read again from the start, never spliced in', { timeout: 300_000 }, async () => {
  // Before: the answer was taken as starting at 0, its first 8 MiB skipped, the stream ended
  // 8 MiB short, and the upload streaming it failed ('expected N bytes, got M') and ran again.
  await syncWithBrokenRange('from-zero', async (ex) => {
    if (!ex.req.headers.range) return false;
    const reply = await ex.fetch('GET', ex.path, passOn(ex));
    relay(ex, reply, { set: { 'content-range': `bytes 0-${SIZE - 1}/${SIZE}` } });
    return true;
  });
});
