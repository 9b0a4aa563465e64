// Tag lists as two registry products page them. Sonatype Nexus honours `n` but never sends a Link
// (sonatype/nexus-public#209): regmirror, which asks for pages of 100, read the first 100 tags and
// stopped, the rest missing from plan, sync and verify with exit 0 and nothing said, where skopeo
// (no `n`) lists them all. A full page without a Link now goes on the spec's own way, `last=` the
// page's last tag, and stops at a short page, at one that lists nothing new (a registry that
// ignores `last`) or at a refusal of `last` (the listing is then what the registry gave, not failed). JFrog Artifactory lists its manifests' digests among the tags
// (containers/skopeo#2346): ignored as skopeo does, said once in -v, not warned one line each.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { smallImage, streamOf } from './fixtures.js';
import { testClient } from './helpers.js';
import { startPagingProxy, type BrokenPaging } from './paging-proxy.js';

let reg: RunningRegistry | undefined;

after(async () => {
  if (reg) await destroyRegistry(reg);
});

// `count` tags on a registry, listed in pages of four through a proxy paging as `broken` says
// (straight from distribution 2.8, which ignores `n` and `last`, when `broken` is undefined).
async function listThrough(broken: BrokenPaging | undefined, count: number): Promise<{ tags: string[]; pages: number; warned: string[]; debug: string[] }> {
  reg ??= await startRegistry();
  const proxy = await startPagingProxy(reg.url, '', broken);
  after(() => proxy.stop());
  const warned: string[] = [];
  const debug: string[] = [];
  const logger = { debug: (m: string) => debug.push(m), info() {}, warn: (m: string) => warned.push(m), error() {} };
  const endpoints = broken ? new Map([[reg.host, proxy.url]]) : undefined;
  const client = testClient(reg, undefined, { logger, testing: { tagPageSize: 4 }, ...(endpoints ? { endpoints } : {}) });
  after(() => client.close());
  const repo = client.repository(reg.host, `paged/${broken ?? 'plain'}${count}`, 'push');
  const image = smallImage(16);
  for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
  for (let i = 0; i < count; i++) await repo.tag(image.manifest.desc, image.manifest.bytes, `v1.0.${i}`);
  const tags = await repo.listTags({ signal: AbortSignal.timeout(10_000) });
  return { tags, pages: proxy.pages, warned, debug };
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `v1.0.${i}`).sort();

it('Nexus: full pages and no Link: every tag, by `last=`, with nothing to warn about', async () => {
  const { tags, pages, warned } = await listThrough('nolink', 10);
  assert.deepEqual([...tags].sort(), names(10));
  assert.equal(pages, 3, 'pages of 4, 4 and 2: the short one ends it');
  assert.deepEqual(warned, []);
});

it('Nexus: exactly one full page: one more request, which comes back empty', async () => {
  const { tags, pages, warned } = await listThrough('nolink', 4);
  assert.deepEqual([...tags].sort(), names(4));
  assert.equal(pages, 2);
  assert.deepEqual(warned, []);
});

it('a registry that pages without Link and refuses `last=`: the tags it gave, the listing not failed', async () => {
  const { tags, pages, warned } = await listThrough('refuseslast', 6);
  assert.deepEqual([...tags].sort(), names(6).slice(0, 4));
  assert.equal(pages, 1);
  assert.deepEqual(warned, []);
});

it('a registry that ignores `n` and `last` (distribution 2.8) answering exactly a page: the same page once more, then done', async () => {
  const { tags, warned } = await listThrough(undefined, 4);
  assert.deepEqual([...tags].sort(), names(4));
  assert.deepEqual(warned, [], 'a page that lists nothing new after a `last=` is the end, not paging gone round in circles');
});

it('Artifactory: digests among the tags are not tags: every tag, no warning, one line in -v', async () => {
  const { tags, warned, debug } = await listThrough('digests', 6);
  assert.deepEqual([...tags].sort(), names(6));
  assert.deepEqual(warned, []);
  assert.equal(debug.filter((m) => /names 6 digests among its tags/.test(m)).length, 1, JSON.stringify(debug));
});
