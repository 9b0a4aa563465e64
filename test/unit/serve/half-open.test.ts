// Which backends a request asks. A half-open backend's one trial request is taken only by a request that tries it. Putting the
// backends in order used to take the trial of every half-open backend in the list, though the
// request was answered by the first: that backend then took no request until the next probe, and
// a request whose other backends failed got a 503 while it stood healthy (chaos hunt, seeds
// 307-313: blob GETs answered 503 in 3 ms while mirror B, untried, was fine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendPool, type Backend } from '../../../src/serve/backends.js';
import { NotFoundError, RegistryResponseError } from '../../../src/types/errors.js';
import type { RegistryClient } from '../../../src/registry/client.js';

/** A pool of backends whose clock is `now()` (a 2 s cool-down); its client is never called here. */
const poolAt = (now: () => number) => new BackendPool({} as RegistryClient, { deadlineMs: 1000, coolDownMs: 2000, now, signal: new AbortController().signal });
const backend = (host: string) => ({ host, ref: { scheme: 'registry', registry: host, repository: 'app' }, repo: {} }) as unknown as Backend;

test('a request answered by the first backend leaves the next one\'s trial to a request that needs it', async () => {
  let now = 0;
  const pool = poolAt(() => now);
  const [a, b] = [backend('a'), backend('b')];
  pool.failed('b', new Error('503'));
  now = 3000; // b's cool-down is over: half-open, one trial allowed
  const first = await pool.first([a, b], async (x) => x.host);
  assert.equal(first.ok && first.backend.host, 'a', 'a answered; b was not asked');
  const tried: string[] = [];
  const second = await pool.first([a, b], async (x) => {
    tried.push(x.host);
    if (x.host === 'a') throw new RegistryResponseError('GET', 'u', 503);
    return x.host;
  });
  assert.deepEqual(tried, ['a', 'b'], 'a failed: b, half-open and untried, is tried next');
  assert.equal(second.ok && second.backend.host, 'b');
  assert.equal(pool.breaker('b').state(now), 'closed', 'its trial succeeded');
});

test('a half-open backend\'s trial is still one request at a time', async () => {
  let now = 0;
  const pool = poolAt(() => now);
  const [a, b] = [backend('a'), backend('b')];
  pool.failed('a', new Error('503'));
  now = 3000;
  let release!: () => void;
  const trial = pool.first([a, b], (x) => (x.host === 'a' ? new Promise<string>((r) => { release = () => r('a'); }) : Promise.resolve(x.host)));
  const other = await pool.first([a, b], async (x) => x.host);
  assert.equal(other.ok && other.backend.host, 'b', 'a\'s trial is in flight: the next request goes to b');
  release();
  const done = await trial;
  assert.equal(done.ok && done.backend.host, 'a');
});

// Seeds 309-311 again: A failed, and B and the source had failed within the last interval (their
// breakers open), so the request got a 503 without asking them, though both were fine by then.
test('when every backend that may be asked failed, those whose breaker is open are asked too before giving up', async () => {
  let now = 0;
  const pool = poolAt(() => now);
  const [a, b, s] = [backend('a'), backend('b'), backend('s')];
  pool.failed('b', new Error('503'));
  now = 500; // b's breaker is still open
  const tried: string[] = [];
  const got = await pool.first([a, b, s], async (x) => {
    tried.push(x.host);
    if (x.host === 'a' || x.host === 's') throw new RegistryResponseError('GET', 'u', 503);
    return x.host;
  });
  assert.deepEqual(tried, ['a', 's', 'b'], 'the open one last');
  assert.equal(got.ok && got.backend.host, 'b');
  assert.equal(pool.breaker('b').state(now), 'closed');
});

// The mirrors down, and the source skipped for a layer because a middlebox once flipped a byte of
// it: the client got 503 for 10 minutes although the source was up and now sent the right bytes.
test('a backend skipped for a blob (its bytes were wrong once) is still asked when no other answers', async () => {
  const pool = poolAt(() => 0);
  const [a, b, s] = [backend('a'), backend('b'), backend('s')];
  const tried: string[] = [];
  const got = await pool.first([a, b, s], async (x) => {
    tried.push(x.host);
    if (x.host !== 's') throw new RegistryResponseError('GET', 'u', 502);
    return x.host;
  }, (x) => x.host === 's');
  assert.deepEqual(tried, ['a', 'b', 's'], 'the skipped one last');
  assert.equal(got.ok && got.backend.host, 's');
  const fresh = poolAt(() => 0);
  const answered = await fresh.first([a, b, s], async (x) => x.host, (x) => x.host === 'a');
  assert.equal(answered.ok && answered.backend.host, 'b', 'skipped while another answers');
});

// A trial answered with an absence (the blob is not at that backend) is an answer: the host is up.
// The trial used to stay taken, keeping the backend out of use until the next health probe.
test('a half-open backend whose trial is answered 404 is closed, not held out until the next probe', async () => {
  let now = 0;
  const pool = poolAt(() => now);
  const [a, b] = [backend('a'), backend('b')];
  pool.failed('a', new Error('503'));
  now = 3000;
  const got = await pool.first([a, b], async (x) => {
    if (x.host === 'a') throw new NotFoundError('blob unknown to a');
    return x.host;
  });
  assert.equal(got.ok && got.backend.host, 'b');
  assert.equal(pool.breaker('a').state(now), 'closed', 'a answered: it is up');
  const next = await pool.first([a, b], async (x) => x.host);
  assert.equal(next.ok && next.backend.host, 'a', 'a takes requests again at once');
});
