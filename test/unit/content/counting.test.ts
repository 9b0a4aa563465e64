// The counting wrapper forwards everything, counts calls and bytes, and keeps optional powers honest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { countingRepository } from '../../../src/content/counting.js';
import { MemoryRegistry, MemoryRepository } from '../../../src/content/memory.js';
import { LayoutRepository } from '../../../src/content/layout/index.js';
import { canListReferrers, canMount, type Repository } from '../../../src/content/storage.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { NotFoundError } from '../../../src/types/errors.js';
import { OCI_LAYER_GZIP } from '../../../src/types/mediatype.js';
import { buildImage, content, drain, pushImage } from './fixtures.js';

describe('countingRepository', () => {
  it('counts every call and forwards results and errors', async () => {
    const repo = countingRepository(new MemoryRepository('app'));
    const image = buildImage();
    await pushImage(repo, image, 'v1', 'v2');
    assert.equal(repo.calls.exists, 3);
    assert.equal(repo.calls.pushBlob, 3);
    assert.equal(repo.calls.pushManifest, 3);
    assert.equal(repo.calls.tag, 2);
    assert.equal(repo.calls.fetchBlob, 0);
    assert.equal(repo.bytesPushed, image.blobs.reduce((n, b) => n + b.desc.size, 0));
    assert.equal((await repo.resolve('v1')).digest, image.index.desc.digest);
    await assert.rejects(repo.resolve('absent'), NotFoundError);
    assert.equal(repo.calls.resolve, 2);
    assert.deepEqual(await repo.listTags(), ['v1', 'v2']);
    assert.equal(repo.calls.listTags, 1);
    assert.equal(repo.name, 'memory-' + repo.mountScope.slice('memory-'.length) + '/app');
    assert.ok(repo instanceof MemoryRepository);
  });

  it('counts blob bytes as they are read, and reset() zeroes everything', async () => {
    const repo = countingRepository(new MemoryRepository());
    const layer = content(OCI_LAYER_GZIP, 'x'.repeat(1000));
    await repo.pushBlob(layer.desc, Readable.from([layer.bytes]));
    assert.equal(repo.bytesPushed, 1000);
    repo.reset();
    assert.equal(repo.bytesPushed, 0);
    assert.equal(repo.calls.pushBlob, 0);
    const stream = await repo.fetchBlob(layer.desc);
    assert.equal(repo.bytesFetched, 0); // nothing read yet
    assert.deepEqual(await drain(stream), layer.bytes);
    assert.equal(repo.bytesFetched, 1000);
    assert.equal(repo.calls.fetchBlob, 1);
  });

  it('keeps mount and referrers powers exactly as the inner store has them', async () => {
    const registry = new MemoryRegistry();
    const source = countingRepository(registry.repository('a'));
    const target = countingRepository(registry.repository('b'));
    assert.ok(canMount(target));
    assert.equal(canListReferrers(target), false);
    assert.equal(target.mountScope, source.mountScope);
    assert.equal(target.mountPath, 'b');
    const layer = content(OCI_LAYER_GZIP, 'layer');
    await source.pushBlob(layer.desc, Readable.from([layer.bytes]));
    assert.equal(await target.mountBlob(layer.desc, source.mountPath), true);
    assert.equal(target.calls.mountBlob, 1);

    const layout = countingRepository(new LayoutRepository('/nonexistent/layout'));
    assert.equal(canMount(layout), false);
    assert.equal('mountScope' in layout, false);
    assert.equal(canListReferrers(layout), false);

    const withReferrers = countingRepository(referrerStore(new MemoryRepository()));
    assert.ok(canListReferrers(withReferrers));
    assert.deepEqual(await withReferrers.referrers(layer.desc), []);
    assert.equal(withReferrers.calls.referrers, 1);
  });
});

function referrerStore<T extends Repository>(repo: T): T & { referrers(subject: Descriptor): Promise<Descriptor[]> } {
  return Object.assign(repo, { referrers: async () => [] as Descriptor[] });
}
