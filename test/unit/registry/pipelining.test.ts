// How the small requests' connections carry more than one request (src/registry/http/pipelining.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1_PIPELINING, H2_STREAMS, pipelines, pipeliningFor } from '../../../src/registry/http/pipelining.js';

test('an HTTP/2 session carries many streams; HTTP/1.1, over TLS or plain, a few pipelined requests', () => {
  assert.equal(pipeliningFor('h2'), H2_STREAMS);
  assert.ok(H2_STREAMS > 1);
  for (const alpn of ['http/1.1', false, null, undefined] as const) assert.equal(pipeliningFor(alpn), H1_PIPELINING);
  assert.ok(H1_PIPELINING > 1 && H1_PIPELINING <= 8, 'a few, not a queue behind one slow answer');
});

test('only small requests that may be sent again are pipelined', () => {
  assert.deepEqual(pipelines(true, true), { idempotent: true, blocking: false });
  assert.deepEqual(pipelines(true, false), {}, 'a body that is a stream cannot be sent again');
  assert.deepEqual(pipelines(false, true), {}, 'a blob transfer is never pipelined');
});
