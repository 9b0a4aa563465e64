// Transport behaviour against a plain registry: tag pages, chunked and streamed uploads,
// referrers on a registry without the API, and an unreachable host.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { UnreachableError } from '../../../src/types/errors.js';
import { drain, randomBlob, smallImage, streamOf } from './fixtures.js';
import { testClient } from './helpers.js';
import { startPagingProxy } from './paging-proxy.js';

// The paging test stays plain HTTP (its paging proxy is a plain node:http server); the rest run over TLS.
describe('transport against a distribution registry', () => {
  it('lists every tag across Link pages, through an endpoint override', async () => {
    const reg = await startRegistry();
    after(() => destroyRegistry(reg));
    const proxy = await startPagingProxy(reg.url);
    after(() => proxy.stop());
    const client = testClient(reg, undefined, { testing: { tagPageSize: 4 }, endpoints: new Map([[reg.host, proxy.url]]) });
    after(() => client.close());
    const repo = client.repository(reg.host, 'paged/app', 'push');
    const image = smallImage(16);
    for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
    const tags = Array.from({ length: 25 }, (_, i) => `v1.0.${i}`);
    for (const t of tags) await repo.tag(image.manifest.desc, image.manifest.bytes, t);
    assert.equal(repo.name, `${reg.host}/paged/app`);
    assert.deepEqual([...(await repo.listTags())].sort(), [...tags].sort());
    assert.equal(proxy.pages, 7);
    assert.deepEqual(await client.repository(reg.host, 'paged/absent', 'pull').listTags(), []);
  });

  it('uploads in PATCH chunks when chunked uploads are on', async () => {
    const reg = await startRegistry({ tls: true });
    after(() => destroyRegistry(reg));
    const client = testClient(reg, undefined, { testing: { forceChunkedUploads: true, chunkBytes: 16 * 1024 } });
    after(() => client.close());
    const repo = client.repository(reg.host, 'chunked/app', 'push');
    const blob = randomBlob(100 * 1024);
    await repo.pushBlob(blob.desc, streamOf(blob.bytes));
    assert.equal(client.stats.byMethod.PATCH, 7);
    assert.deepEqual(await drain(await repo.fetchBlob(blob.desc)), blob.bytes);
  });

  it('streams a large blob in one PUT', async () => {
    const reg = await startRegistry({ tls: true });
    after(() => destroyRegistry(reg));
    const client = testClient(reg);
    after(() => client.close());
    const repo = client.repository(reg.host, 'large/app', 'push');
    const blob = randomBlob(6 * 1024 * 1024);
    await repo.pushBlob(blob.desc, streamOf(blob.bytes));
    assert.equal(client.stats.byMethod.PATCH, undefined);
    assert.equal(client.stats.byMethod.PUT, 1, "the whole blob in one PUT");
    assert.deepEqual(await drain(await repo.fetchBlob(blob.desc)), blob.bytes);
  });

  it('says undefined for referrers on distribution 2.8 and stops asking', async () => {
    const reg = await startRegistry({ tls: true });
    after(() => destroyRegistry(reg));
    const client = testClient(reg);
    after(() => client.close());
    const repo = client.repository(reg.host, 'refs/app', 'push');
    const image = smallImage(16);
    for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
    await repo.pushManifest(image.manifest.desc, image.manifest.bytes);
    // Many tags list their referrers at once: the first listing asks, the others wait for its answer.
    const before = client.stats.requests;
    const answers = await Promise.all(Array.from({ length: 8 }, () => repo.referrers(image.manifest.desc)));
    assert.deepEqual(answers, Array(8).fill(undefined));
    assert.equal(client.stats.requests, before + 1, 'one request for eight listings at once');
    const requests = client.stats.requests;
    assert.equal(await repo.referrers(image.manifest.desc), undefined);
    assert.equal(client.stats.requests, requests);
  });

  it('reports a stopped registry as UnreachableError after its retries', async () => {
    const reg = await startRegistry({ tls: true });
    after(() => destroyRegistry(reg));
    await reg.stop();
    const client = testClient(reg, undefined, { maxAttempts: 3 });
    after(() => client.close());
    await assert.rejects(client.repository(reg.host, 'gone/app', 'pull').listTags(), (e: unknown) => {
      assert.ok(e instanceof UnreachableError);
      assert.equal(e.host, reg.host);
      return true;
    });
    assert.equal(client.stats.retries, 2);
  });
});
