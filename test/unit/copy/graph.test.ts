// The copier over memory stores with call counting (oras-go's way): no HTTP, exact counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { MemoryRegistry, MemoryRepository } from '../../../src/content/memory.js';
import { countingRepository } from '../../../src/content/counting.js';
import type { Repository } from '../../../src/content/storage.js';
import { copyGraph } from '../../../src/copy/graph.js';
import { CopyLedger, HEADS_BEFORE_PROBE } from '../../../src/copy/ledger.js';
import { CopyError, DigestMismatchError } from '../../../src/types/errors.js';
import { buildImage, content, pushImage, failingStream } from '../content/fixtures.js';

async function sourceWith(tag: string, seed = 'a', registry = new MemoryRegistry(), path = `jetstack/${seed}`) {
  const src = registry.repository(path);
  const image = buildImage(seed);
  await pushImage(src, image, tag);
  return { src, image, root: await src.fetchManifest(tag) };
}

test('copies every blob, child and the index to two targets, reading each source blob once', async () => {
  const { src, image, root } = await sourceWith('v1.0.0');
  const counted = countingRepository(src);
  const a = countingRepository(new MemoryRepository('a'));
  const b = countingRepository(new MemoryRepository('b'));
  const results = await copyGraph({ src: counted, ledger: new CopyLedger() }, root, [a, b], 'v1.0.0');
  for (const [dst, r] of results) {
    assert.equal(r.error, undefined, `${dst.name}: ${r.error?.message}`);
    assert.equal((await dst.resolve('v1.0.0')).digest, image.index.desc.digest);
    for (const blob of image.blobs) assert.ok(await dst.exists(blob.desc));
    for (const m of image.manifests) assert.ok(await dst.exists(m.desc));
    assert.equal(r.tally.copied, image.blobs.length);
  }
  assert.equal(counted.calls.fetchBlob, image.blobs.length, 'one source read per unique blob, whatever the number of targets');
  assert.equal(a.calls.pushBlob, image.blobs.length);
  assert.equal(b.calls.pushBlob, image.blobs.length);
  assert.equal(a.calls.tag, 1);
});

test('a destination that already holds the index skips the whole tree', async () => {
  const { src, root } = await sourceWith('v1.0.0');
  const dst = new MemoryRepository('d');
  await copyGraph({ src, ledger: new CopyLedger() }, root, [dst], 'v1.0.0');
  const counted = countingRepository(dst);
  const source = countingRepository(src);
  await copyGraph({ src: source, ledger: new CopyLedger() }, root, [counted], 'v1.0.1');
  assert.equal(counted.calls.pushBlob, 0);
  assert.equal(counted.calls.pushManifest, 0);
  assert.equal(source.calls.fetchBlob, 0);
  assert.equal(counted.calls.tag, 1, 'only the new tag is written');
});

test('same registry: blobs are mounted from the source, no bytes move', async () => {
  const registry = new MemoryRegistry();
  const { src, image, root } = await sourceWith('v1.0.0', 'a', registry);
  const source = countingRepository(src);
  const dst = countingRepository(registry.repository('cert-manager/a'));
  const results = await copyGraph({ src: source, ledger: new CopyLedger() }, root, [dst], 'v1.0.0');
  assert.equal(results.get(dst)?.error, undefined);
  assert.equal(source.calls.fetchBlob, 0);
  assert.equal(dst.calls.pushBlob, 0);
  assert.equal(dst.calls.mountBlob, image.blobs.length);
  assert.equal(results.get(dst)?.tally.mounted, image.blobs.length);
});

test('same registry: a source repository named "wait" is mounted from like any other', async () => {
  const registry = new MemoryRegistry();
  const { src, image, root } = await sourceWith('v1.0.0', 'w', registry, 'wait');
  const source = countingRepository(src);
  const dst = countingRepository(registry.repository('cert-manager/w'));
  const results = await copyGraph({ src: source, ledger: new CopyLedger() }, root, [dst], 'v1.0.0');
  assert.equal(results.get(dst)?.error, undefined);
  assert.equal(source.calls.fetchBlob, 0);
  assert.equal(dst.calls.mountBlob, image.blobs.length);
});

test('a blob pushed into one repository of a target registry is mounted into the next', async () => {
  const { src: srcA, root: rootA } = await sourceWith('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const first = countingRepository(target.repository('cert-manager/a'));
  await copyGraph({ src: srcA, ledger }, rootA, [first], 'v1');
  // Same image content under another repository name: its shared layer must be mounted.
  const second = countingRepository(target.repository('cert-manager/b'));
  const results = await copyGraph({ src: srcA, ledger }, rootA, [second], 'v1');
  assert.equal(results.get(second)?.error, undefined);
  assert.equal(second.calls.pushBlob, 0);
  assert.ok((second.calls.mountBlob ?? 0) > 0);
});

test('the ledger shares one upload between two tags copied at once', async () => {
  const { src, image, root } = await sourceWith('v1');
  const source = countingRepository(src);
  const dst = countingRepository(new MemoryRepository('d'));
  const ledger = new CopyLedger();
  await Promise.all([copyGraph({ src: source, ledger }, root, [dst], 'v1'), copyGraph({ src: source, ledger }, root, [dst], 'latest')]);
  assert.equal(source.calls.fetchBlob, image.blobs.length);
  assert.equal(dst.calls.pushBlob, image.blobs.length);
  assert.deepEqual(await dst.listTags(), ['latest', 'v1']);
});

/** A source whose blob bytes are corrupted in flight (the first `times` reads). */
function corrupting(inner: Repository, times: number): Repository {
  let left = times;
  return Object.assign(Object.create(inner) as Repository, {
    fetchBlob: async (desc: Parameters<Repository['fetchBlob']>[0]) => {
      const stream = await inner.fetchBlob(desc);
      if (left <= 0) return stream;
      left -= 1;
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
      const bytes = Buffer.concat(chunks);
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return Readable.from([bytes]);
    },
  });
}

test('corrupt bytes are never pushed: retried, and refused when they stay corrupt', async () => {
  const { src, image, root } = await sourceWith('v1');
  const healed = new MemoryRepository('healed');
  const ok = await copyGraph({ src: corrupting(src, 1), ledger: new CopyLedger(), blobAttempts: 3 }, root, [healed], 'v1');
  assert.equal(ok.get(healed)?.error, undefined, 'a second read fixes a one-off corruption');

  const dst = countingRepository(new MemoryRepository('d'));
  const bad = await copyGraph({ src: corrupting(src, 1000), ledger: new CopyLedger(), blobAttempts: 2 }, root, [dst], 'v1');
  const err = bad.get(dst)?.error;
  assert.ok(err instanceof CopyError);
  assert.equal(err.origin, 'source');
  assert.ok(err.cause instanceof DigestMismatchError);
  assert.deepEqual(await dst.listTags(), [], 'no tag on an incomplete image');
  for (const blob of image.blobs) assert.equal(await dst.exists(blob.desc), false, 'no corrupt blob stored');
});

test('a source stream cut mid-blob is read again', async () => {
  const { src, root } = await sourceWith('v1');
  let cuts = 1;
  const flaky = Object.assign(Object.create(src) as Repository, {
    fetchBlob: async (desc: Parameters<Repository['fetchBlob']>[0]) => (cuts-- > 0 ? failingStream(Buffer.from('partial')) : src.fetchBlob(desc)),
  });
  const dst = new MemoryRepository('d');
  const r = await copyGraph({ src: flaky, ledger: new CopyLedger() }, root, [dst], 'v1');
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal((await dst.resolve('v1')).digest, root.descriptor.digest);
});

test('one failing destination does not stop the other', async () => {
  const { src, root } = await sourceWith('v1');
  const good = new MemoryRepository('good');
  const broken = Object.assign(Object.create(new MemoryRepository('broken')) as Repository, {
    name: 'broken',
    pushBlob: async () => {
      throw new Error('503 Service Unavailable');
    },
  });
  const r = await copyGraph({ src, ledger: new CopyLedger(), blobAttempts: 2 }, root, [good, broken], 'v1');
  assert.equal(r.get(good)?.error, undefined);
  assert.ok(r.get(broken)?.error instanceof CopyError);
  assert.equal((r.get(broken)?.error as CopyError).origin, 'destination');
  assert.equal((await good.resolve('v1')).digest, root.descriptor.digest);
  assert.deepEqual(await broken.listTags(), []);
});

test('dry run counts what would move and writes nothing', async () => {
  const { src, image, root } = await sourceWith('v1');
  const dst = countingRepository(new MemoryRepository('d'));
  const r = await copyGraph({ src, ledger: new CopyLedger(), dryRun: true }, root, [dst], 'v1');
  const tally = r.get(dst)?.tally;
  assert.equal(tally?.copied, image.blobs.length);
  assert.equal(tally?.bytes, image.blobs.reduce((n, b) => n + b.desc.size, 0));
  assert.equal(dst.calls.pushBlob! + dst.calls.pushManifest! + dst.calls.tag!, 0);
});

test('an abort before the tag leaves the tag unwritten', async () => {
  const { src, root } = await sourceWith('v1');
  const controller = new AbortController();
  controller.abort(new Error('SIGINT'));
  const dst = new MemoryRepository('d');
  const r = await copyGraph({ src, ledger: new CopyLedger(), signal: controller.signal }, root, [dst], 'v1');
  assert.ok(r.get(dst)?.error);
  assert.deepEqual(await dst.listTags(), []);
});

test('two repositories copying the same new layer into one registry at once upload it once', async () => {
  const { src, image, root } = await sourceWith('v1');
  const source = countingRepository(src);
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const a = countingRepository(target.repository('cert-manager/a'));
  const b = countingRepository(target.repository('cert-manager/b'));
  const [ra, rb] = await Promise.all([
    copyGraph({ src: source, ledger }, root, [a], 'v1'),
    copyGraph({ src: source, ledger }, root, [b], 'v1'),
  ]);
  assert.equal(ra.get(a)?.error, undefined);
  assert.equal(rb.get(b)?.error, undefined);
  assert.equal(source.calls.fetchBlob, image.blobs.length, 'each blob read once');
  assert.equal(a.calls.pushBlob! + b.calls.pushBlob!, image.blobs.length, 'each blob uploaded once, mounted into the other');
});

test('two targets on one registry in one copy share a single read (no wait on each other)', async () => {
  const { src, image, root } = await sourceWith('v1');
  const source = countingRepository(src);
  const target = new MemoryRegistry();
  const a = target.repository('cert-manager/a');
  const b = target.repository('mirror/a');
  const r = await copyGraph({ src: source, ledger: new CopyLedger() }, root, [a, b], 'v1');
  assert.equal(r.get(a)?.error, undefined);
  assert.equal(r.get(b)?.error, undefined);
  assert.equal(source.calls.fetchBlob, image.blobs.length);
});

test('on a registry that honours mounts, a self-mount replaces HEAD + POST for each blob', async () => {
  const { src, image, root } = await sourceWith('v1');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  ledger.mountWorked(target.scope);
  const dst = countingRepository(target.repository('cert-manager/a'));
  const first = await copyGraph({ src, ledger }, root, [dst], 'v1');
  assert.equal(first.get(dst)?.error, undefined);
  assert.equal(dst.calls.exists, 1, 'only the root manifest is checked with a HEAD');
  assert.equal(dst.calls.mountBlob, image.blobs.length);
});

/** `inner` whose `method` answers 503 the first time it is called. */
function failingOnce(inner: MemoryRepository, method: 'tag' | 'pushBlob'): Repository {
  let refuse = 1;
  const real = inner[method] as (...args: unknown[]) => Promise<void>;
  return Object.assign(Object.create(inner) as Repository, {
    name: inner.name,
    [method]: async (...args: unknown[]) => {
      if (refuse-- > 0) throw new Error('503 Service Unavailable');
      return real.apply(inner, args);
    },
  });
}

test('a manifest two tags need is placed once per destination: the second tag only writes its tag', async () => {
  const { src, image, root } = await sourceWith('v1.0.0');
  const source = countingRepository(src);
  const dst = countingRepository(new MemoryRepository('d'));
  const ledger = new CopyLedger();
  const [a, b] = await Promise.all([
    copyGraph({ src: source, ledger }, root, [dst], 'v1.0.0', { probeRoot: false }),
    copyGraph({ src: source, ledger }, root, [dst], '1.0.0', { probeRoot: false }),
  ]);
  assert.equal(a.get(dst)?.error, undefined);
  assert.equal(b.get(dst)?.error, undefined);
  assert.equal(dst.calls.mountBlob, image.blobs.length + 1, 'a check (self-mount) per blob and the mount probe, none for a manifest: the second tag waits for the first');
  assert.equal(source.calls.fetchManifest, image.manifests.length, 'each child read once');
  assert.equal(dst.calls.pushManifest, image.manifests.length, 'each child written once');
  assert.equal(dst.calls.pushBlob, image.blobs.length);
  assert.equal(dst.calls.tag, 2);
  assert.equal(a.get(dst)!.tally.manifests + b.get(dst)!.tally.manifests, image.manifests.length + 1);
  assert.deepEqual(await dst.listTags(), ['1.0.0', 'v1.0.0']);
});

test('a manifest known to be at a destination costs only its tag', async () => {
  const { src, root } = await sourceWith('v1.0.0');
  const dst = countingRepository(new MemoryRepository('d'));
  await copyGraph({ src, ledger: new CopyLedger() }, root, [dst], 'v1.0.0');
  dst.reset();
  const ledger = new CopyLedger();
  ledger.manifestPresent(dst.name, root.descriptor.digest);
  const r = await copyGraph({ src, ledger }, root, [dst], 'latest');
  assert.equal(r.get(dst)?.error, undefined);
  assert.deepEqual([dst.calls.exists, dst.calls.pushBlob, dst.calls.mountBlob, dst.calls.pushManifest, dst.calls.tag], [0, 0, 0, 0, 1]);
});

test('when the tag that claimed a manifest fails there, the next tag places it itself', async () => {
  const { src, root } = await sourceWith('v1.0.0');
  const inner = new MemoryRepository('d');
  const dst = failingOnce(inner, 'tag');
  const ledger = new CopyLedger();
  const first = await copyGraph({ src, ledger }, root, [dst], 'v1.0.0', { probeRoot: false });
  assert.ok(first.get(dst)?.error instanceof CopyError);
  assert.equal(ledger.manifestAt('d', root.descriptor.digest), undefined, 'a failed claim is forgotten');
  const second = await copyGraph({ src, ledger }, root, [dst], 'v1.0.0', { probeRoot: false });
  assert.equal(second.get(dst)?.error, undefined);
  assert.equal((await inner.resolve('v1.0.0')).digest, root.descriptor.digest);
});

test('at a repository that had tags, after the first upload into its registry, one self-mount proves it honours mounts', async () => {
  const registry = new MemoryRegistry();
  const { src, image, root } = await sourceWith('v1', 'a', registry);
  const { src: srcB, root: rootB } = await sourceWith('v2', 'b', registry);
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const dst = countingRepository(target.repository('cert-manager/a'));
  ledger.absences.warm(dst.name);
  await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  // Unknown mount support: the first blob copy's HEAD, and the few blobs of one image go ahead
  // by HEAD too (HEADS_BEFORE_PROBE); the first upload is probed with one self-mount.
  assert.equal(dst.calls.exists, image.blobs.length);
  assert.equal(dst.calls.mountBlob, 1);
  assert.equal(dst.calls.pushBlob, image.blobs.length);
  assert.ok(ledger.mountsWork(target.scope));
  dst.reset();
  const r = await copyGraph({ src: srcB, ledger }, rootB, [dst], 'v2', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(dst.calls.exists, 0, 'no HEAD once mounts are known to work');
  assert.ok(dst.calls.mountBlob! > 0);
});

test('a small blob is read and verified once, and a failed upload is retried from memory', async () => {
  const { src, image, root } = await sourceWith('v1');
  const source = countingRepository(src);
  const inner = new MemoryRepository('d');
  const dst = failingOnce(inner, 'pushBlob');
  const r = await copyGraph({ src: source, ledger: new CopyLedger(), blobAttempts: 2 }, root, [dst], 'v1');
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(source.calls.fetchBlob, image.blobs.length, 'the retry did not read the source again');
  for (const blob of image.blobs) assert.ok(await inner.exists(blob.desc));
});

test('with many blobs checked at once, repositories that had tags at a registry of unknown mount support get a bounded number of HEADs, not one per blob', async () => {
  // Two images of 20 platforms each (a config per platform, one shared layer): 41 blob checks.
  const platforms = Array.from({ length: 20 }, (_, i) => ({ os: 'linux', architecture: `arch${i}` }));
  const sources = await Promise.all(['a', 'b'].map(async (seed) => {
    const src = new MemoryRegistry().repository(`jetstack/${seed}`);
    const image = buildImage(seed, platforms);
    await pushImage(src, image, 'v1');
    return { src, image, root: await src.fetchManifest('v1') };
  }));
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const [a, b] = ['a', 'b'].map((seed) => countingRepository(target.repository(`cert-manager/${seed}`)));
  for (const repo of [a!, b!]) ledger.absences.warm(repo.name);
  // Both images at once: every blob check is asked for before the first upload has been probed.
  const results = await Promise.all(sources.map(({ src, root }, i) => copyGraph({ src, ledger }, root, [[a!, b!][i]!], 'v1', { probeRoot: false })));
  assert.equal(results[0]!.get(a!)?.error, undefined);
  assert.equal(results[1]!.get(b!)?.error, undefined);
  const heads = (a!.calls.exists ?? 0) + (b!.calls.exists ?? 0);
  assert.equal(heads, 1 + HEADS_BEFORE_PROBE, 'the probe\'s own HEAD and the ones let ahead; the rest waited and self-mounted');
  assert.ok((a!.calls.mountBlob ?? 0) + (b!.calls.mountBlob ?? 0) > 0);
  for (const [i, repo] of [a!, b!].entries()) for (const blob of sources[i]!.image.blobs) assert.ok(await repo.exists(blob.desc));
});

test('a release checked at a registry of unknown mount support goes ahead by HEAD, none waiting for the probe', async () => {
  const { src, image, root } = await sourceWith('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const dst = countingRepository(target.repository('cert-manager/a'));
  ledger.absences.warm(dst.name);
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(dst.calls.exists, image.blobs.length, 'a HEAD per blob, all at once');
});

test('a registry that already holds the first blob checked is probed with a self-mount of it', async () => {
  const { src, image, root } = await sourceWith('v1', 'a');
  const target = new MemoryRegistry();
  const inner = target.repository('cert-manager/a');
  for (const blob of image.blobs) await inner.pushBlob(blob.desc, Readable.from([blob.bytes]));
  const dst = countingRepository(inner);
  const ledger = new CopyLedger();
  ledger.absences.warm(dst.name);
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(dst.calls.exists, image.blobs.length + image.manifests.length, 'a HEAD per blob (a release goes ahead of the probe), and per child whose blobs were all there');
  assert.equal(dst.calls.mountBlob, 1, 'the first HEAD found its blob, so a self-mount of it was the probe');
  assert.ok(ledger.mountsWork(target.scope));
  assert.equal(dst.calls.pushBlob, 0);
  assert.equal(r.get(dst)?.tally.copied, 0);
});

test('a child manifest whose blobs were all there is asked for, and written only where absent (a rerun of a run that died before the index)', async () => {
  const { src, image, root } = await sourceWith('v1', 'a');
  const inner = new MemoryRegistry().repository('cert-manager/a');
  for (const blob of image.blobs) await inner.pushBlob(blob.desc, Readable.from([blob.bytes]));
  await inner.pushManifest(image.manifests[0]!.desc, image.manifests[0]!.bytes);
  const dst = countingRepository(inner);
  const r = await copyGraph({ src, ledger: new CopyLedger() }, root, [dst], 'v1');
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(dst.calls.pushManifest ?? 0, 1, 'the absent child alone; the present one is not written again');
  assert.equal(dst.calls.pushBlob ?? 0, 0);
  assert.equal(r.get(dst)?.tally.manifests, 2, 'the absent child and the index');
  assert.equal((await inner.fetchManifest('v1')).descriptor.digest, image.index.desc.digest);
});

test('a foreign layer is neither read from the source nor written to a destination, and is counted', async () => {
  const src = new MemoryRepository('jetstack/windows');
  const config = content('application/vnd.docker.container.image.v1+json', '{"os":"windows"}');
  const own = content('application/vnd.docker.image.rootfs.diff.tar.gzip', 'own layer');
  const base = content('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'windows base', { urls: ['https://mcr.example/base'] });
  for (const blob of [config, own]) await src.pushBlob(blob.desc, blob.bytes);
  const manifest = content('application/vnd.docker.distribution.manifest.v2+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: config.desc, layers: [base.desc, own.desc] }));
  await src.tag(manifest.desc, manifest.bytes, 'ltsc2022');
  const counted = countingRepository(src);
  const a = countingRepository(new MemoryRepository('a'));
  const b = countingRepository(new MemoryRepository('b'));
  const results = await copyGraph({ src: counted, ledger: new CopyLedger() }, await src.fetchManifest('ltsc2022'), [a, b], 'ltsc2022');
  for (const dst of [a, b]) {
    const r = results.get(dst);
    assert.equal(r?.error, undefined, `${dst.name}: ${r?.error?.message}`);
    assert.deepEqual([r?.tally.copied, r?.tally.foreign], [2, 1]);
    assert.equal(dst.calls.pushBlob, 2);
    assert.equal(await dst.exists(base.desc), false);
  }
  assert.equal(counted.calls.fetchBlob, 2);
});

test('an ordinary layer with urls that the source does not hold is left at its URLs, as skopeo leaves it; one the source holds is copied', async () => {
  const src = new MemoryRepository('jetstack/urls');
  const config = content('application/vnd.oci.image.config.v1+json', '{"os":"windows"}');
  const held = content('application/vnd.oci.image.layer.v1.tar+gzip', 'held', { urls: ['https://cdn.example/held'] });
  const away = content('application/vnd.oci.image.layer.v1.tar+gzip', 'away', { urls: ['https://cdn.example/away'] });
  const plain = content('application/vnd.oci.image.layer.v1.tar+gzip', 'plain');
  for (const blob of [config, held]) await src.pushBlob(blob.desc, blob.bytes);
  const image = (layers: unknown[]) => content('application/vnd.oci.image.manifest.v1+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: config.desc, layers }));
  const good = image([held.desc, away.desc]);
  await src.tag(good.desc, good.bytes, 'v1');
  const dst = new MemoryRepository('a');
  const r = (await copyGraph({ src, ledger: new CopyLedger() }, await src.fetchManifest('v1'), [dst], 'v1')).get(dst);
  assert.equal(r?.error, undefined, r?.error?.message);
  assert.deepEqual([r?.tally.copied, r?.tally.foreign], [2, 1]);
  assert.equal(await dst.exists(held.desc), true);
  // Without urls, a blob the source lacks fails the copy as before.
  await src.pushBlob(plain.desc, plain.bytes);
  const lost = content('application/vnd.oci.image.layer.v1.tar+gzip', 'lost');
  const bad = image([lost.desc]);
  await src.pushManifest(bad.desc, bad.bytes).catch(() => undefined);
  const other = new MemoryRepository('b');
  const failed = (await copyGraph({ src, ledger: new CopyLedger() }, { descriptor: bad.desc, bytes: bad.bytes }, [other], 'v2')).get(other);
  assert.ok(failed?.error instanceof CopyError);
});

// A manifest may name one blob twice (an empty layer in two places, oras's empty config also as a
// layer): the second was counted 'already there' beside the upload that placed it.
test('a blob a manifest names twice is copied and counted once', async () => {
  const src = new MemoryRepository('jetstack/twice');
  const config = content('application/vnd.oci.image.config.v1+json', '{"os":"linux"}');
  const layer = content('application/vnd.oci.image.layer.v1.tar+gzip', 'the same layer');
  for (const blob of [config, layer]) await src.pushBlob(blob.desc, blob.bytes);
  const manifest = content('application/vnd.oci.image.manifest.v1+json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: config.desc, layers: [layer.desc, layer.desc] }));
  await src.tag(manifest.desc, manifest.bytes, 'v1.0.0');
  const counted = countingRepository(src);
  const dst = countingRepository(new MemoryRepository('a'));
  const results = await copyGraph({ src: counted, ledger: new CopyLedger() }, await src.fetchManifest('v1.0.0'), [dst], 'v1.0.0');
  const r = results.get(dst);
  assert.equal(r?.error, undefined, r?.error?.message);
  assert.deepEqual([r?.tally.copied, r?.tally.existing, r?.tally.bytes], [2, 0, config.bytes.length + layer.bytes.length]);
  assert.equal(dst.calls.pushBlob, 2);
  assert.equal(counted.calls.fetchBlob, 2);
});
