import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestCache, TagCache } from '../../../src/serve/cache.js';
import { ClientRateLimit } from '../../../src/serve/ratelimit.js';
import { isPrivateAddress } from '../../../src/serve/address.js';
import { urlForFile } from '../../../src/serve/binaries.js';

const m = (digest: string, size: number) => ({ digest, mediaType: 'x', bytes: new Uint8Array(size) });

test('the manifest cache keeps at most its byte budget, dropping the least recently used', () => {
  const c = new ManifestCache(100);
  c.put(m('a', 40));
  c.put(m('b', 40));
  assert.ok(c.get('a'), 'a is now most recent');
  c.put(m('c', 40));
  assert.equal(c.get('b'), undefined, 'b was least recently used');
  assert.ok(c.get('a') && c.get('c'));
  assert.ok(c.size <= 100);
  c.put(m('huge', 1000));
  assert.equal(c.get('huge'), undefined, 'larger than the budget: not kept');
});

test('tag answers are fresh for the TTL and stay available as stale', () => {
  const t = new TagCache(1000, 2);
  t.put('app:v1', { digest: 'd1', backend: 'a', at: 0 });
  assert.equal(t.fresh('app:v1', 999)?.digest, 'd1');
  assert.equal(t.fresh('app:v1', 1000), undefined);
  assert.equal(t.stale('app:v1')?.digest, 'd1');
  t.put('app:v2', { digest: 'd2', backend: 'a', at: 0 });
  t.put('app:v3', { digest: 'd3', backend: 'a', at: 0 });
  assert.equal(t.stale('app:v1'), undefined, 'bounded');
});

test('the per-client rate limit: a burst, then the refill rate; clients apart', () => {
  const r = new ClientRateLimit(10, 20);
  let ok = 0;
  for (let i = 0; i < 25; i++) if (r.take('a', 0)) ok++;
  assert.equal(ok, 20);
  assert.equal(r.take('b', 0), true, 'another client is not starved');
  assert.equal(r.take('a', 100), true, 'one token after 100 ms at 10/s');
  assert.equal(r.take('a', 100), false);
  assert.ok(r.retryAfter('a') >= 1);
});

test('X-Forwarded-For is trusted only from private and loopback peers', () => {
  for (const a of ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '::ffff:10.0.0.1', 'fd00::1']) assert.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '2001:db8::1', '']) assert.ok(!isPrivateAddress(a), a);
});

test('a binary file name picks the release URL whose last segment it is', () => {
  const urls = ['https://github.com/x/cmctl/releases/download/{tag}/cmctl_linux_amd64.tar.gz', 'https://github.com/x/cmctl/releases/download/{tag}/checksums.txt'];
  assert.equal(urlForFile(urls, 'v2.1.0', 'checksums.txt'), 'https://github.com/x/cmctl/releases/download/v2.1.0/checksums.txt');
  assert.equal(urlForFile(urls, 'v2.1.0', 'cmctl_darwin_arm64.tar.gz'), undefined);
});
