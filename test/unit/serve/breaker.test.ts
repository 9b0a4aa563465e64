import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Breaker, tryOrder } from '../../../src/serve/breaker.js';
import { isLiveError, NoAnswerError, oneLine, REASON_MAX } from '../../../src/serve/backend-failures.js';
import { AbortedError, AuthError, MalformedAnswerError, NotFoundError, RegistryResponseError, TlsError, UnreachableError } from '../../../src/types/errors.js';

test('a live error opens the breaker for the cool-down; then one trial request; success closes it', () => {
  const b = new Breaker(5000);
  assert.equal(b.state(0), 'closed');
  b.failure(1000, 'refused');
  assert.equal(b.state(2000), 'open');
  assert.equal(b.allow(2000), false);
  assert.equal(b.state(6000), 'half-open');
  assert.equal(b.allow(6000), true, 'one trial');
  assert.equal(b.allow(6001), false, 'only one');
  b.success();
  assert.equal(b.state(6002), 'closed');
  assert.equal(b.opened, 1);
  b.failure(7000, 'x');
  b.failure(7001, 'again while open: not a new opening');
  assert.equal(b.opened, 2);
});

test('tryOrder keeps preference order, skips open backends, and tries all when all are open', () => {
  assert.deepEqual(tryOrder(['a', 'b', 'c'], (x) => x !== 'a'), ['b', 'c']);
  assert.deepEqual(tryOrder(['a', 'b'], () => false), ['a', 'b']);
  assert.deepEqual(tryOrder(['a', 'b', 'c'], () => true, (x) => x === 'b'), ['a', 'c']);
});

test('which failures are live errors (they open the breaker)', () => {
  assert.ok(isLiveError(new UnreachableError('h', 'refused')));
  assert.ok(isLiveError(new AbortedError('deadline')));
  assert.ok(isLiveError(new NoAnswerError(1500)));
  assert.ok(isLiveError(new MalformedAnswerError('h: the answer came with both Transfer-Encoding: chunked and Content-Length')));
  assert.equal(new NoAnswerError(1500).message, 'gave no answer within 1.5 s (--timeout)');
  assert.ok(isLiveError(new RegistryResponseError('GET', 'u', 503)));
  assert.ok(isLiveError(new RegistryResponseError('GET', 'u', 429)));
  assert.ok(!isLiveError(new RegistryResponseError('GET', 'u', 400)));
  assert.ok(!isLiveError(new NotFoundError('x')));
  assert.ok(!isLiveError(new AuthError('x')));
});

test('the stats page keeps a certificate error whole, down to what to set in mirrors.yaml', () => {
  const host = '127.0.0.1:43067';
  const said = `${host}: its TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): give that self-signed certificate itself as \`caFile\` under registries: ${host}, or set \`tls: insecure\` there to skip verification`;
  assert.equal(oneLine(new TlsError(host, 'untrusted', `${said}\nsecond line`)), said);
  const long = oneLine(new Error('x'.repeat(2 * REASON_MAX)));
  assert.equal(long.length, REASON_MAX);
  assert.ok(long.endsWith('…'));
});
