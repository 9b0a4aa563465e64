// Which pool a request goes on (src/registry/http/pool.ts): bodies that are streams or larger than
// one HTTP/2 flow-control window stay off HTTP/2, where an aborted upload can hang Node 20; blob
// transfers over HTTP/1.1 stay off the pipelined connections of small requests (send.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { closePools, createPools, poolFor } from '../../../src/registry/http/pool.js';
import { headersTimeoutFor, HTTP2_BODY_MAX, isBulky } from '../../../src/registry/http/pool-limits.js';

test('no body, small buffers and small strings are not bulky; streams and anything over the window are', () => {
  assert.equal(isBulky(undefined), false);
  assert.equal(isBulky(null), false);
  assert.equal(isBulky(Buffer.alloc(HTTP2_BODY_MAX)), false);
  assert.equal(isBulky('{"schemaVersion":2}'), false);
  assert.equal(isBulky(new Uint8Array(HTTP2_BODY_MAX + 1)), true);
  assert.equal(isBulky('x'.repeat(HTTP2_BODY_MAX + 1)), true);
  assert.equal(isBulky(Readable.from([Buffer.from('a')])), true, 'a stream, however short');
});

test('every registry gets two pools: `any` for small requests (HTTP/2 where offered), `bulky` for large bodies and transfers, with http2: false too', async () => {
  const h2 = createPools(undefined, 4);
  assert.notEqual(h2.any, h2.bulky);
  assert.equal(poolFor(h2, isBulky(Buffer.alloc(10))), h2.any);
  assert.equal(poolFor(h2, isBulky(undefined)), h2.any);
  assert.equal(poolFor(h2, isBulky(Buffer.alloc(HTTP2_BODY_MAX * 2))), h2.bulky);
  const h1 = createPools({ host: 'r.example', tls: 'verify', http2: false }, 4);
  assert.notEqual(h1.any, h1.bulky, 'pipelined small requests never share a connection with a transfer');
  assert.equal(poolFor(h1, isBulky(Buffer.alloc(HTTP2_BODY_MAX * 2))), h1.bulky);
  const renewed = h1.any;
  h1.renew?.();
  assert.notEqual(h1.any, renewed, 'renewed together');
  await Promise.all([closePools(h2), closePools(h1)]);
});

test('a bulky upload may wait five minutes for its answer; everything else keeps the pool\'s minute', () => {
  assert.equal(headersTimeoutFor(isBulky(Readable.from([Buffer.from('a')]))), 300_000);
  assert.equal(headersTimeoutFor(isBulky(Buffer.alloc(10))), undefined);
  assert.equal(headersTimeoutFor(isBulky(undefined)), undefined);
});
