import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { errors } from 'undici';
import { bodyStalled, hasBody, headersDeadline } from '../../../src/registry/http/h2-bodies.js';

describe('request bodies an HTTP/2 front end never passes on', () => {
  it('counts a body with bytes in it, or a stream, and not an empty or absent one', () => {
    assert.equal(hasBody(undefined), false);
    assert.equal(hasBody(''), false);
    assert.equal(hasBody(Buffer.alloc(0)), false);
    assert.equal(hasBody('{}'), true);
    assert.equal(hasBody(Buffer.from('x')), true);
    assert.equal(hasBody(Readable.from([])), true);
  });

  it('reads a 504, a 408 or no headers within the answer timeout as a body that never arrived, and nothing else', () => {
    assert.equal(bodyStalled(504), true);
    assert.equal(bodyStalled(408), true);
    assert.equal(bodyStalled(502), false);
    assert.equal(bodyStalled(201), false);
    assert.equal(bodyStalled(new errors.HeadersTimeoutError()), true);
    assert.equal(bodyStalled(new errors.SocketError('other side closed')), false);
  });

  it('gives a request with a body a deadline of its own for its headers, which aborts it as a headers timeout unless cleared', async () => {
    const due = headersDeadline(20);
    const cleared = headersDeadline(20);
    cleared.clear();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(due.signal.aborted, true);
    assert.equal(bodyStalled(due.signal.reason), true);
    assert.equal(cleared.signal.aborted, false);
  });
});
