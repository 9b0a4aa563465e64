import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { Silence } from '../../../src/registry/http/silence.js';

const timeout = () => new errors.HeadersTimeoutError();
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** A Silence on a clock the test moves. */
function silence(probeEveryMs = 60_000) {
  const clock = { now: 1_000 };
  return { clock, s: new Silence('https://quay.example', probeEveryMs, () => clock.now) };
}

describe('Silence', () => {
  it('a timeout with nothing answered since the request went out shows the host silent: no retry goes, nor a second request', () => {
    const { s } = silence();
    s.answered(); // the ping, before the listing went out
    const listing = s.sent();
    const other = s.sent();
    const e = timeout();
    assert.equal(s.failed(listing, e), true);
    assert.equal(s.refuses(true), e);
    assert.equal(s.refuses(false), e, 'a new request within the probe interval');
    assert.equal(s.failed(other, timeout()), true, 'another request sent before, timing out too');
  });

  it('a slow host is never silent: a timeout with another answer since keeps the retries', () => {
    const { s } = silence();
    const slow = s.sent();
    s.answered();
    assert.equal(s.failed(slow, timeout()), false);
    assert.equal(s.refuses(true), undefined);
  });

  it('only the long silences show it: a reset or a refusal is retried as before', () => {
    const { s } = silence();
    assert.equal(s.failed(s.sent(), reset()), false);
    assert.equal(s.refuses(true), undefined);
    assert.equal(s.failed(s.sent(), new errors.ConnectTimeoutError()), true, 'a TLS handshake that never ends');
  });

  it('one new request an interval goes out as the probe; an answer brings normal service back', () => {
    const { s, clock } = silence(60_000);
    s.failed(s.sent(), timeout());
    clock.now += 59_999;
    assert.notEqual(s.refuses(false), undefined);
    clock.now += 1;
    assert.equal(s.refuses(false), undefined, 'the probe');
    assert.notEqual(s.refuses(false), undefined, 'one probe an interval');
    assert.notEqual(s.refuses(true), undefined, 'retries never probe');
    s.answered();
    assert.equal(s.refuses(true), undefined);
    assert.equal(s.refuses(false), undefined);
  });

  it('tells its listeners once as the host goes silent, not at each timeout after', () => {
    const { s } = silence();
    const heard: unknown[] = [];
    const stop = s.onSilent((e) => heard.push(e));
    const [a, b] = [s.sent(), s.sent()];
    const first = timeout();
    s.failed(a, first);
    s.failed(b, timeout());
    assert.deepEqual(heard, [first]);
    s.answered();
    stop();
    s.failed(s.sent(), timeout());
    assert.equal(heard.length, 1);
  });

  it('watches only the host\'s own origin', () => {
    const { s } = silence();
    assert.equal(s.watches(new URL('https://quay.example/v2/')), true);
    assert.equal(s.watches(new URL('https://cdn.quay.example/blob')), false);
  });
});
