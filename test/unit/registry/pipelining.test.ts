// How the small requests' connections carry more than one request (src/registry/http/pipelining.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1_PIPELINING, H2_STREAMS, isListing, isSessionStart, pipelines, pipeliningFor, poolConnections } from '../../../src/registry/http/pipelining.js';

test('an HTTP/2 session carries many streams; HTTP/1.1, over TLS or plain, a few pipelined requests once its pool has all its connections', () => {
  assert.equal(pipeliningFor('h2', 1, 24), H2_STREAMS, 'HTTP/2 multiplexes from its first connection');
  assert.ok(H2_STREAMS > 1);
  for (const alpn of ['http/1.1', false, null, undefined] as const) {
    assert.equal(pipeliningFor(alpn, 23, 24), 1, 'a pool that can still open connections spreads its requests over them');
    assert.equal(pipeliningFor(alpn, 24, 24), H1_PIPELINING);
  }
  assert.ok(H1_PIPELINING > 1 && H1_PIPELINING <= 8, 'a few, not a queue behind one slow answer');
  assert.equal(pipeliningFor('http/1.1', 24, 24, 1), 1, 'pipelining: false');
  assert.equal(pipeliningFor('h2', 24, 24, 1), H2_STREAMS, 'HTTP/2 multiplexes either way');
});

test('a pool for an origin that spoke HTTP/2 opens one session; one that did not, or asks for HTTP/1.1, its connections', () => {
  assert.equal(poolConnections(24, true, { h2: true }), 1, 'one session carries every request');
  assert.equal(poolConnections(24, true, { h2: false }), 24, 'not heard yet, or its last connection said http/1.1');
  assert.equal(poolConnections(24, false, { h2: true }), 24, 'a host moved to HTTP/1.1 (goaway.ts) pipelines over its connections');
});

test('only small requests that may be sent again are pipelined, no session start, and nothing behind a listing', () => {
  const manifest = new URL('https://r.example/v2/app/manifests/v1.0.0');
  assert.deepEqual(pipelines(true, true, 'GET', manifest), { idempotent: true, blocking: false });
  assert.deepEqual(pipelines(true, false, 'PUT', manifest), {}, 'a body that is a stream cannot be sent again');
  assert.deepEqual(pipelines(false, true, 'GET', manifest), {}, 'a blob transfer is never pipelined');
  for (const listing of ['/v2/app/tags/list?n=100', '/v2/app/tags/list', '/v2/_catalog', '/v2/app/referrers/sha256:ab']) {
    assert.equal(isListing(new URL(listing, manifest)), true, listing);
    assert.deepEqual(pipelines(true, true, 'GET', new URL(listing, manifest)), { blocking: true }, listing);
  }
  assert.equal(isListing(new URL('/v2/tags/list/manifests/v1', manifest)), true, 'a repository named tags/list: held like a listing, which costs nothing');
  assert.equal(isListing(new URL('/v2/app/blobs/uploads/', manifest)), false);
  const start = new URL('/v2/app/blobs/uploads/', manifest);
  const mount = new URL('/v2/app/blobs/uploads/?mount=sha256:ab&from=other', manifest);
  assert.deepEqual(pipelines(true, true, 'POST', start), {}, 'a session start, sent twice, opens two sessions');
  assert.deepEqual(pipelines(true, true, 'POST', mount), { idempotent: true, blocking: false }, 'a mount asked twice mounts once');
  assert.equal(isSessionStart('POST', start), true);
  assert.equal(isSessionStart('POST', mount), false);
  assert.equal(isSessionStart('GET', start), false);
  // The query is read as text: the parameter's name exactly, wherever it stands.
  assert.equal(isSessionStart('POST', new URL('/v2/app/blobs/uploads/?from=other&mount=sha256:ab', manifest)), false);
  assert.equal(isSessionStart('POST', new URL('/v2/app/blobs/uploads/?mount', manifest)), false);
  assert.equal(isSessionStart('POST', new URL('/v2/app/blobs/uploads/?digest=sha256:ab&amount=1', manifest)), true);
  assert.equal(isSessionStart('POST', new URL('/v2/app/blobs/uploads/?mounted=1', manifest)), true);
});
