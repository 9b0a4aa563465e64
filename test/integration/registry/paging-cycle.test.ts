// A registry whose tag-list paging goes round in circles: its last page links back to the first
// (a cursor that wraps around), every link fresh because its opaque cursors carry a nonce. No
// URL is ever read twice, so regmirror's guard against re-reading a page never fired: it paged
// forever, a tag-list request after another (14,000 pages in 30 s against a quay-like proxy),
// its tag list growing without end, and plan, sync and verify hung. A registry whose pages link
// to themselves was cut short in silence instead: the tags past the first page were missing
// with nothing said. Paging now stops at a page that lists no tag not listed already, or at a
// link to a page read before, and says so (the list may be short; the registry is at fault).
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { smallImage, streamOf } from './fixtures.js';
import { testClient } from './helpers.js';
import { startPagingProxy, type BrokenPaging } from './paging-proxy.js';

let reg: RunningRegistry | undefined;

// Six tags, behind a proxy that pages them four at a time, linking on as `broken` says.
async function listThrough(broken: BrokenPaging): Promise<{ tags: string[]; pages: number; warned: string[] }> {
  reg ??= await startRegistry();
  const proxy = await startPagingProxy(reg.url, '', broken);
  after(() => proxy.stop());
  const warned: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
  const client = testClient(reg, undefined, { logger, testing: { tagPageSize: 4 }, endpoints: new Map([[reg.host, proxy.url]]) });
  after(() => client.close());
  const repo = client.repository(reg.host, `paged/${broken}`, 'push');
  const image = smallImage(16);
  for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
  for (let i = 0; i < 6; i++) await repo.tag(image.manifest.desc, image.manifest.bytes, `v1.0.${i}`);
  // The hang, before the fix, ends here as an abort instead of a test that never returns.
  const tags = await repo.listTags({ signal: AbortSignal.timeout(10_000) });
  return { tags, pages: proxy.pages, warned };
}

after(async () => {
  if (reg) await destroyRegistry(reg);
});

it('a tag list whose last page links back to the first, with fresh cursors: every tag once, then it stops and says so', async () => {
  const { tags, pages, warned } = await listThrough('wrap');
  assert.deepEqual([...tags].sort(), ['v1.0.0', 'v1.0.1', 'v1.0.2', 'v1.0.3', 'v1.0.4', 'v1.0.5']);
  assert.equal(pages, 3, 'two pages, and the first one again: it lists no new tag');
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, new RegExp(`${reg!.host}/paged/wrap: the tag list's pages go round in circles .*: paging stopped at 6 tags`));
});

it('a tag list whose page links to itself: the first page, and it says tags may be missing', async () => {
  const { tags, pages, warned } = await listThrough('self');
  assert.equal(tags.length, 4);
  assert.equal(pages, 1);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, /paged\/self: the tag list's pages go round in circles .*: paging stopped at 4 tags, so tags after those may be missing/);
});
