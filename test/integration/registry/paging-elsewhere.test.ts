// A registry reached as 127.0.0.1:PORT (or [::1]:PORT) that knows itself by another name
// (`localhost:PORT`, distribution's http.host, a proxy's server name) writes its tag-list Link
// absolute on that name. regmirror does not follow a page onto another origin (its credentials
// are the registry's, not that name's), and it stopped there in silence: every tag past the
// first page was missing from plan, sync and verify, with nothing said. It now warns, naming the
// origin the link went to and what to set.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry } from '../../harness/registry.js';
import { smallImage, streamOf } from './fixtures.js';
import { testClient } from './helpers.js';
import { startPagingProxy } from './paging-proxy.js';

it('a tag-list page linked on another origin: not followed, and said', async () => {
  const reg = await startRegistry();
  after(() => destroyRegistry(reg));
  const elsewhere = `http://localhost:${new URL(reg.url).port}`;
  const proxy = await startPagingProxy(reg.url, elsewhere);
  after(() => proxy.stop());
  const warned: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
  const client = testClient(reg, undefined, { logger, testing: { tagPageSize: 4 }, endpoints: new Map([[reg.host, proxy.url]]) });
  after(() => client.close());
  const repo = client.repository(reg.host, 'paged/app', 'push');
  const image = smallImage(16);
  for (const blob of [image.config, image.layer]) await repo.pushBlob(blob.desc, streamOf(blob.bytes));
  for (let i = 0; i < 6; i++) await repo.tag(image.manifest.desc, image.manifest.bytes, `v1.0.${i}`);
  const tags = await repo.listTags();
  assert.equal(tags.length, 4, 'the first page only: the link is not followed');
  assert.equal(proxy.pages, 1);
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, new RegExp(`${reg.host}/paged/app: the tag list's next page is on ${elsewhere.replace(/[.]/g, '\\.')}, not .*: not followed, so tags after the first 4 are missing`));
});
