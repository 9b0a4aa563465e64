// Which pool a request goes on (src/registry/http/pool.ts): bodies that are streams or larger than
// one HTTP/2 flow-control window stay off HTTP/2, where an aborted upload can hang Node 20.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { closePools, createPools, headersTimeoutFor, HTTP2_BODY_MAX, isBulky, poolFor } from '../../../src/registry/http/pool.js';

test('no body, small buffers and small strings are not bulky; streams and anything over the window are', () => {
  assert.equal(isBulky(undefined), false);
  assert.equal(isBulky(null), false);
  assert.equal(isBulky(Buffer.alloc(HTTP2_BODY_MAX)), false);
  assert.equal(isBulky('{"schemaVersion":2}'), false);
  assert.equal(isBulky(new Uint8Array(HTTP2_BODY_MAX + 1)), true);
  assert.equal(isBulky('x'.repeat(HTTP2_BODY_MAX + 1)), true);
  assert.equal(isBulky(Readable.from([Buffer.from('a')])), true, 'a stream, however short');
});

test('a TLS registry with HTTP/2 gets a separate HTTP/1.1 pool for bulky bodies; plain HTTP and http2: false one pool for all', async () => {
  const tls = new URL('https://r.example/v2/app/blobs/uploads/x');
  const h2 = createPools(undefined, 4);
  assert.notEqual(h2.any, h2.bulky);
  assert.equal(poolFor(h2, tls, isBulky(Buffer.alloc(10))), h2.any);
  assert.equal(poolFor(h2, tls, isBulky(undefined)), h2.any);
  assert.equal(poolFor(h2, tls, isBulky(Buffer.alloc(HTTP2_BODY_MAX * 2))), h2.bulky);
  assert.equal(poolFor(h2, new URL('http://127.0.0.1:5000/v2/'), isBulky(Buffer.alloc(HTTP2_BODY_MAX * 2))), h2.any, 'plain HTTP: one pool, never HTTP/2');
  const h1 = createPools({ host: 'r.example', tls: 'verify', http2: false }, 4);
  assert.equal(h1.any, h1.bulky);
  assert.equal(poolFor(h1, tls, isBulky(Buffer.alloc(HTTP2_BODY_MAX * 2))), h1.any);
  await Promise.all([closePools(h2), closePools(h1)]);
});

test('a bulky upload may wait five minutes for its answer; everything else keeps the pool\'s minute', () => {
  assert.equal(headersTimeoutFor(isBulky(Readable.from([Buffer.from('a')]))), 300_000);
  assert.equal(headersTimeoutFor(isBulky(Buffer.alloc(10))), undefined);
  assert.equal(headersTimeoutFor(isBulky(undefined)), undefined);
});
