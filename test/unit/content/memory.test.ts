// The memory store must behave like a registry wherever the copier could tell the difference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { MemoryRegistry, MemoryRepository } from '../../../src/content/memory.js';
import { canMount } from '../../../src/content/storage.js';
import { AbortedError, DigestMismatchError, NotFoundError, RegistryResponseError, SizeLimitError, UnsupportedError } from '../../../src/types/errors.js';
import { OCI_LAYER_GZIP } from '../../../src/types/mediatype.js';
import { buildImage, content, drain, pushImage } from './fixtures.js';

describe('MemoryRepository', () => {
  it('stores an image and serves it back by tag and digest', async () => {
    const repo = new MemoryRepository('app');
    const image = buildImage();
    await pushImage(repo, image, 'v2', 'v1');
    assert.deepEqual(await repo.resolve('v1'), { mediaType: image.index.desc.mediaType, digest: image.index.desc.digest, size: image.index.desc.size });
    const byDigest = await repo.fetchManifest(image.manifests[0]!.desc.digest);
    assert.deepEqual(Buffer.from(byDigest.bytes), image.manifests[0]!.bytes);
    assert.equal(byDigest.descriptor.mediaType, image.manifests[0]!.desc.mediaType);
    const blob = image.blobs[1]!;
    assert.deepEqual(await drain(await repo.fetchBlob(blob.desc)), blob.bytes);
    assert.equal(await repo.exists(blob.desc), true);
    assert.equal(await repo.exists(image.index.desc), true);
    assert.deepEqual(await repo.listTags(), ['v1', 'v2']);
  });

  it('refuses a blob whose bytes do not match and stores nothing', async () => {
    const repo = new MemoryRepository();
    const real = content(OCI_LAYER_GZIP, 'real bytes');
    await assert.rejects(repo.pushBlob(real.desc, Readable.from([Buffer.from('evil bytes')])), DigestMismatchError);
    await assert.rejects(repo.pushBlob(real.desc, Readable.from([Buffer.from('real')])), SizeLimitError);
    await assert.rejects(repo.pushBlob(real.desc, Readable.from([Buffer.from('real bytes!')])), SizeLimitError);
    assert.equal(await repo.exists(real.desc), false);
    await assert.rejects(repo.fetchBlob(real.desc), NotFoundError);
  });

  it('refuses manifests and tags whose bytes do not hash to the descriptor', async () => {
    const repo = new MemoryRepository();
    const image = buildImage();
    await pushImage(repo, image);
    const other = buildImage('b');
    await assert.rejects(repo.pushManifest(image.index.desc, other.index.bytes), DigestMismatchError);
    await assert.rejects(repo.tag(image.index.desc, other.index.bytes, 'latest'), DigestMismatchError);
    assert.deepEqual(await repo.listTags(), []);
  });

  it('wants a manifest\'s parts before the manifest, as a registry does', async () => {
    const repo = new MemoryRepository();
    const image = buildImage();
    await assert.rejects(repo.pushManifest(image.index.desc, image.index.bytes), (err: unknown) =>
      err instanceof RegistryResponseError && err.errors[0]?.code === 'MANIFEST_BLOB_UNKNOWN');
    await assert.rejects(repo.pushManifest(image.manifests[0]!.desc, image.manifests[0]!.bytes), RegistryResponseError);
  });

  it('answers NotFoundError for what is absent and has no tags when empty', async () => {
    const repo = new MemoryRepository();
    const image = buildImage();
    await assert.rejects(repo.resolve('v1'), NotFoundError);
    await assert.rejects(repo.fetchManifest(image.index.desc.digest), NotFoundError);
    await assert.rejects(repo.resolve('md5:abc'), UnsupportedError);
    assert.deepEqual(await repo.listTags(), []);
    await pushImage(repo, image);
    // A blob is not a manifest, and a manifest is not a blob.
    await assert.rejects(repo.resolve(image.blobs[0]!.desc.digest), NotFoundError);
    await assert.rejects(repo.fetchBlob(image.index.desc), NotFoundError);
    assert.equal(await repo.exists({ ...image.blobs[0]!.desc, size: 1 }), false);
  });

  it('moves a tag when it is tagged again', async () => {
    const repo = new MemoryRepository();
    const [a, b] = [buildImage('a'), buildImage('b')];
    await pushImage(repo, a, 'latest');
    await pushImage(repo, b, 'latest');
    assert.equal((await repo.resolve('latest')).digest, b.index.desc.digest);
    assert.deepEqual(await repo.listTags(), ['latest']);
    await assert.rejects(repo.tag(a.index.desc, a.index.bytes, 'bad:tag'), UnsupportedError);
  });

  it('mounts within one MemoryRegistry and never across', async () => {
    const registry = new MemoryRegistry();
    const source = registry.repository('jetstack/app');
    assert.equal(registry.repository('jetstack/app'), source);
    const target = registry.repository('cert-manager/app');
    const layer = content(OCI_LAYER_GZIP, 'layer');
    await source.pushBlob(layer.desc, Readable.from([layer.bytes]));
    assert.ok(canMount(target));
    assert.equal(target.mountScope, source.mountScope);
    assert.equal(source.mountPath, 'jetstack/app');
    assert.equal(await target.mountBlob(content(OCI_LAYER_GZIP, 'other').desc, 'jetstack/app'), false);
    assert.equal(await target.mountBlob(layer.desc, 'nowhere'), false);
    assert.equal(await target.mountBlob(layer.desc, 'jetstack/app'), true);
    assert.equal(await target.exists(layer.desc), true);

    const elsewhere = new MemoryRegistry().repository('cert-manager/app');
    assert.notEqual(elsewhere.mountScope, source.mountScope);
    assert.equal(await elsewhere.mountBlob(layer.desc, 'jetstack/app'), false);
    assert.equal(await elsewhere.exists(layer.desc), false);
    const standalone = new MemoryRepository('cert-manager/app');
    assert.notEqual(standalone.mountScope, new MemoryRepository('cert-manager/app').mountScope);
    assert.equal(await standalone.mountBlob(layer.desc, 'jetstack/app'), false);
  });

  it('stops when the run is aborted', async () => {
    const repo = new MemoryRepository();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(repo.listTags({ signal: controller.signal }), AbortedError);
    const layer = content(OCI_LAYER_GZIP, 'layer');
    await assert.rejects(repo.pushBlob(layer.desc, Readable.from([layer.bytes]), { signal: controller.signal }), AbortedError);
    assert.equal(await repo.exists(layer.desc), false);
  });
});
