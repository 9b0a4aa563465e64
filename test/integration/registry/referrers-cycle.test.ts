// A registry whose referrers API pages go round in circles: the last page links back to the
// first, every link with a fresh cursor, so no URL is ever read twice and the guard against
// re-reading a page never fired. regmirror paged forever, as fast as the registry answered
// (111,926 referrers pages in 30 s, 5,300 requests a second, against a proxy whose every page
// linked on), and plan, sync and verify hung at the first image. Paging now stops at a page
// after the first that lists no referrer not listed already, and says so.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningRegistry } from '../../harness/registry.js';
import { testClient } from './helpers.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const referrer = (hex: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex.repeat(64)}`, size: 100, artifactType: 'application/vnd.example.sbom' });

it('referrers pages that wrap around with fresh cursors: each referrer once, then it stops and says so', async () => {
  // Only the referrers API: page 1 lists one referrer, page 2 another, page 3 is page 1 again.
  let pages = 0;
  const server = createServer((req, res) => {
    if (!req.url?.includes('/referrers/')) return void res.writeHead(404).end();
    pages++;
    const path = new URL(req.url, 'http://x').pathname;
    const manifests = pages % 2 === 1 ? [referrer('a')] : [referrer('b')];
    res.writeHead(200, { 'content-type': INDEX, link: `<${path}?cursor=${pages}-${Math.random()}>; rel="next"` });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const warned: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
  const client = testClient({ host, url: `http://${host}` } as RunningRegistry, undefined, { logger });
  after(() => client.close());
  const repo = client.repository(host, 'cycling/app', 'pull');
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 10 };
  // The hang, before the fix, ends here as an abort instead of a test that never returns.
  const listed = await repo.referrers(subject, { signal: AbortSignal.timeout(10_000) });
  assert.deepEqual(listed?.map((d) => d.digest), [referrer('a').digest, referrer('b').digest]);
  assert.equal(pages, 3, 'two pages, and the first one again: it lists no new referrer');
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, new RegExp(`${host}/cycling/app: the referrers of sha256:c{12}… go round in circles .*: paging stopped at 2 referrers`));
});
