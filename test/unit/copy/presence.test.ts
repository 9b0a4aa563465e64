// How a blob copy checks a cold destination (src/copy/presence.ts): a repository that had no tags
// when the run started is checked by self-mount from the first blob on, whatever the registry's
// mount support; what the mount probe then learns decides the checks after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry, type MemoryRepository } from '../../../src/content/memory.js';
import { countingRepository } from '../../../src/content/counting.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { copyGraph } from '../../../src/copy/graph.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { AuthError, RegistryResponseError } from '../../../src/types/errors.js';
import { writeDespiteCheck } from '../../../src/copy/presence.js';
import { buildImage, pushImage } from '../content/fixtures.js';

async function source(tag: string, seed: string) {
  const src = new MemoryRegistry().repository(`jetstack/${seed}`);
  const image = buildImage(seed);
  await pushImage(src, image, tag);
  return { src, image, root: await src.fetchManifest(tag) };
}

/** `inner` whose self-mounts answer as `mount` says: false (202, a registry that ignores mounts) or a throw. */
function mounting(inner: MemoryRepository, mount: (desc: Descriptor) => Promise<boolean>): MemoryRepository {
  return Object.assign(Object.create(inner) as MemoryRepository, { name: inner.name, mountBlob: mount });
}

test('at a cold repository, every blob is checked by self-mount at once: no HEAD, no wait for the mount probe', async () => {
  const { src, image, root } = await source('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const dst = countingRepository(target.repository('cert-manager/a'));
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(dst.calls.exists, 0);
  assert.equal(dst.calls.mountBlob, image.blobs.length + 1, 'a self-mount per blob, and the probe of the first upload');
  assert.equal(dst.calls.pushBlob, image.blobs.length);
  assert.ok(ledger.mountsWork(target.scope), 'the probe found the uploaded blob: mounts work there');
});

test('a registry whose probe shows it ignores mounts is checked by HEAD from then on', async () => {
  const { src, image, root } = await source('v1', 'a');
  const { src: srcB, image: imageB, root: rootB } = await source('v2', 'b');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const a = countingRepository(mounting(target.repository('cert-manager/a'), async () => false));
  const first = await copyGraph({ src, ledger }, root, [a], 'v1', { probeRoot: false });
  assert.equal(first.get(a)?.error, undefined);
  assert.equal(a.calls.mountBlob, image.blobs.length + 1, '202 for each, and for the probe of a blob it had just stored');
  assert.equal(a.calls.exists, 0);
  assert.ok(!ledger.mountsWork(target.scope) && !ledger.mountsUnknown(target.scope), 'it ignores mounts');
  const b = countingRepository(mounting(target.repository('cert-manager/b'), async () => false));
  const second = await copyGraph({ src: srcB, ledger }, rootB, [b], 'v2', { probeRoot: false });
  assert.equal(second.get(b)?.error, undefined);
  // The layer both images share is asked for as a mount from cert-manager/a, which holds it.
  assert.equal(b.calls.mountBlob, 1, 'no self-mount where mounts are known not to work');
  assert.equal(b.calls.exists, imageB.blobs.length - 1);
});

test('a registry that refuses a self-mount outright is asked by HEAD instead, and the copy goes on', async () => {
  const { src, image, root } = await source('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const refuse = async () => {
    throw new RegistryResponseError('POST', 'https://registry.example/v2/cert-manager/a/blobs/uploads/?mount=…', 400, [{ code: 'UNSUPPORTED' }]);
  };
  const dst = countingRepository(mounting(target.repository('cert-manager/a'), refuse));
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined, String(r.get(dst)?.error));
  assert.equal(dst.calls.exists, image.blobs.length, 'each refused self-mount became a HEAD');
  for (const blob of image.blobs) assert.ok(await dst.exists(blob.desc));
  assert.ok(!ledger.mountsUnknown(target.scope));
});

test('once mounts are known to work, a refused self-mount is a failure, not a HEAD', async () => {
  const { src, root } = await source('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  ledger.mountWorked(target.scope);
  const refuse = async () => {
    throw new RegistryResponseError('POST', 'https://registry.example/v2/cert-manager/a/blobs/uploads/?mount=…', 400);
  };
  const dst = countingRepository(mounting(target.repository('cert-manager/a'), refuse));
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.ok(r.get(dst)?.error);
  assert.equal(dst.calls.exists ?? 0, 0);
});

test('a self-mount the registry fails to serve (5xx after retries) fails that blob, as a HEAD would: no fallback', async () => {
  const { src, root } = await source('v1', 'a');
  const target = new MemoryRegistry();
  const ledger = new CopyLedger();
  const down = async () => {
    throw new RegistryResponseError('POST', 'https://registry.example/v2/cert-manager/a/blobs/uploads/?mount=…', 503);
  };
  const dst = countingRepository(mounting(target.repository('cert-manager/a'), down));
  const r = await copyGraph({ src, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.match(String(r.get(dst)?.error), /503/);
  assert.equal(dst.calls.exists ?? 0, 0);
  assert.ok(ledger.mountsUnknown(target.scope), 'nothing learnt about mounts from an outage');
});

test('a HEAD the registry failed (5xx) leaves the write to decide; a failed self-mount, a refusal or a 404 does not', () => {
  const R = RegistryResponseError;
  assert.equal(writeDespiteCheck(new R('HEAD', 'https://r/v2/a/blobs/sha256:x', 500)), true);
  assert.equal(writeDespiteCheck(new R('HEAD', 'https://r/v2/a/blobs/sha256:x', 503)), true);
  assert.equal(writeDespiteCheck(new R('POST', 'https://r/v2/a/blobs/uploads/', 500)), false);
  assert.equal(writeDespiteCheck(new R('HEAD', 'https://r/v2/a/blobs/sha256:x', 400)), false);
  assert.equal(writeDespiteCheck(new AuthError('HEAD …: forbidden')), false);
});
