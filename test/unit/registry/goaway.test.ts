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
  it('moves the host to HTTP/1.1 where its sessions end before they answered two streams each (keepalive_requests 1)', () => {
    const counter = new GoawayCounter();
    assert.equal(counter.failed(goaway(0), true), 'h1');
    assert.equal(counter.h1Only, true);
    assert.equal(counter.failed(goaway(0), true), undefined);
    const few = new GoawayCounter();
    for (let i = 0; i < 3; i++) few.answer();
    assert.equal(few.failed(goaway(0), true), 'resend');
    assert.equal(few.failed(goaway(0), true), 'h1');
    assert.equal(few.describe(), '2 times in 3 answers');
  });
  it('counts a session\'s streams in flight once: one GOAWAY of a multiplexed session is one ended connection', () => {
    const on = (port: number) => new errors.SocketError('HTTP/2: "GOAWAY" frame received with code 0', { localAddress: '127.0.0.1', localPort: port } as never);
    const counter = new GoawayCounter();
    for (let i = 0; i < 10; i++) counter.answer();
    for (let i = 0; i < 8; i++) assert.equal(counter.failed(on(40001), true), 'resend', `stream ${i} of the ended session`);
    assert.equal(counter.h1Only, false);
    assert.equal(counter.describe(), 'once in 10 answers');
    assert.equal(counter.failed(on(40002), true), 'resend', 'two sessions in 10 answers: 5 answers a session');
    assert.equal(counter.failed(on(40003), true), 'resend');
    assert.equal(counter.failed(on(40004), true), 'resend');
    assert.equal(counter.failed(on(40005), true), 'resend');
    assert.equal(counter.failed(on(40006), true), 'h1', 'six sessions in 10 answers: under two answers a session');
  });
  it('sends a stream the server refused unprocessed (REFUSED_STREAM) again, counting no GOAWAY', () => {
    const refused = () => Object.assign(new Error('Stream closed with error code NGHTTP2_REFUSED_STREAM'), { code: 'ERR_HTTP2_STREAM_ERROR' });
    const counter = new GoawayCounter();
    assert.equal(counter.failed(refused(), true), 'refused');
    assert.equal(counter.failed(refused(), false), undefined, 'a body that cannot be sent again is the retries\' to judge');
    assert.equal(counter.h1Only, false);
    for (let i = 0; i < 7; i++) assert.equal(counter.failed(refused(), true), 'refused');
    assert.equal(counter.failed(refused(), true), undefined, 'a host that refuses every stream: the retries judge past 8 refusals more than answers');
    const other = Object.assign(new Error('Stream closed with error code NGHTTP2_INTERNAL_ERROR'), { code: 'ERR_HTTP2_STREAM_ERROR' });
    assert.equal(counter.failed(other, true), undefined);
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
