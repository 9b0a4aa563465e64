// How the small requests' connections carry more than one request (src/registry/http/pipelining.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1_PIPELINING, H2_STREAMS, isListing, pipelines, pipeliningFor } from '../../../src/registry/http/pipelining.js';

test('an HTTP/2 session carries many streams; HTTP/1.1, over TLS or plain, a few pipelined requests', () => {
  assert.equal(pipeliningFor('h2'), H2_STREAMS);
  assert.ok(H2_STREAMS > 1);
  for (const alpn of ['http/1.1', false, null, undefined] as const) assert.equal(pipeliningFor(alpn), H1_PIPELINING);
  assert.ok(H1_PIPELINING > 1 && H1_PIPELINING <= 8, 'a few, not a queue behind one slow answer');
});

test('only small requests that may be sent again are pipelined, and nothing behind a listing', () => {
  const manifest = new URL('https://r.example/v2/app/manifests/v1.0.0');
  assert.deepEqual(pipelines(true, true, manifest), { idempotent: true, blocking: false });
  assert.deepEqual(pipelines(true, false, manifest), {}, 'a body that is a stream cannot be sent again');
  assert.deepEqual(pipelines(false, true, manifest), {}, 'a blob transfer is never pipelined');
  for (const listing of ['/v2/app/tags/list?n=100', '/v2/app/tags/list', '/v2/_catalog', '/v2/app/referrers/sha256:ab']) {
    assert.equal(isListing(new URL(listing, manifest)), true, listing);
    assert.deepEqual(pipelines(true, true, new URL(listing, manifest)), { blocking: true }, listing);
  }
  assert.equal(isListing(new URL('/v2/tags/list/manifests/v1', manifest)), true, 'a repository named tags/list: held like a listing, which costs nothing');
  assert.equal(isListing(new URL('/v2/app/blobs/uploads/', manifest)), false);
});
