import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { GoawayCounter } from '../../../src/registry/http/goaway.js';

const goaway = (code: number) => new errors.SocketError(`HTTP/2: "GOAWAY" frame received with code ${code}`);

describe('GoawayCounter', () => {
  it('sends a request that a graceful GOAWAY took again while HTTP/2 answers the rest (nginx keepalive_requests)', () => {
    const counter = new GoawayCounter();
    for (let i = 0; i < 9; i++) counter.answer();
    assert.equal(counter.failed(goaway(0), true), 'resend');
    assert.equal(counter.h1Only, false);
  });
  it('leaves a body it cannot send again, and other failures, to the retries', () => {
    const counter = new GoawayCounter();
    for (let i = 0; i < 20; i++) counter.answer();
    assert.equal(counter.failed(goaway(0), false), undefined);
    assert.equal(counter.failed(new errors.SocketError('other side closed'), true), undefined);
    assert.equal(counter.h1Only, false);
  });
  it('moves the host to HTTP/1.1 at a GOAWAY with an error code (ENHANCE_YOUR_CALM)', () => {
    const counter = new GoawayCounter();
    for (let i = 0; i < 20; i++) counter.answer();
    assert.equal(counter.failed(goaway(11), true), 'h1');
    assert.equal(counter.h1Only, true);
  });
  it('moves the host to HTTP/1.1 where GOAWAYs take more than one request in eight answered (keepalive_requests 1)', () => {
    const counter = new GoawayCounter();
    assert.equal(counter.failed(goaway(0), true), 'h1');
    assert.equal(counter.h1Only, true);
    assert.equal(counter.failed(goaway(0), true), undefined);
    const few = new GoawayCounter();
    for (let i = 0; i < 15; i++) few.answer();
    assert.equal(few.failed(goaway(0), true), 'resend');
    assert.equal(few.failed(goaway(0), true), 'h1');
    assert.equal(few.describe(), '2 times in 15 answers');
  });
  it('says one GOAWAY and one answer in the singular (a token service behind nginx keepalive_requests 1)', () => {
    const counter = new GoawayCounter();
    counter.answer();
    assert.equal(counter.failed(goaway(0), true), 'h1');
    assert.equal(counter.describe(), 'once in 1 answer');
  });
  it('moves a host whose HTTP/2 broke before its first answer to HTTP/1.1 at once, every request in flight sent again (HAProxy tune.bufsize 8192)', () => {
    const broken = () => Object.assign(new Error('Protocol error'), { code: 'ERR_HTTP2_ERROR' });
    const counter = new GoawayCounter();
    assert.equal(counter.failed(broken(), true), 'h1-resend');
    assert.equal(counter.h1Only, true);
    assert.equal(counter.failed(broken(), true), 'h1-resend');
    assert.equal(counter.failed(broken(), false), undefined);
    // Once HTTP/2 has answered, a protocol error is the retries' to judge, as before.
    const answered = new GoawayCounter();
    answered.answer();
    assert.equal(answered.failed(broken(), true), undefined);
    assert.equal(answered.h1Only, false);
  });
});
