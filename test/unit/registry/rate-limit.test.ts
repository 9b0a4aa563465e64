// The request pacer behind `rateLimit`: evenly spaced turns, no burst, and an abort that frees the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacedLanes, RequestPacer } from '../../../src/registry/http/rate-limit.js';
import { Lanes } from '../../../src/registry/http/limiter.js';
import { AbortedError } from '../../../src/types/errors.js';

/** A clock that only moves when a request sleeps, so the schedule is exact. */
function fakeClock() {
  let now = 1000;
  const sent: number[] = [];
  const pacer = new RequestPacer(20, () => now, async (ms) => {
    now += ms;
  });
  return { pacer, sent, take: async () => { await pacer.take(); sent.push(now); }, advance: (ms: number) => (now += ms) };
}

test('20 per second: turns 50 ms apart from the first, so any second holds at most 20', async () => {
  const c = fakeClock();
  for (let i = 0; i < 45; i++) await c.take();
  assert.deepEqual(c.sent.slice(0, 3), [1000, 1050, 1100]);
  for (const start of c.sent) {
    const inWindow = c.sent.filter((t) => t >= start && t < start + 1000).length;
    assert.ok(inWindow <= 20, `${inWindow} requests in the second from ${start}`);
  }
});

test('an idle pacer banks no turns: after a pause the next requests are spaced again', async () => {
  const c = fakeClock();
  await c.take();
  c.advance(5000);
  await c.take();
  await c.take();
  assert.deepEqual(c.sent, [1000, 6000, 6050]);
});

test('an aborted wait rejects with AbortedError', async () => {
  const pacer = new RequestPacer(1);
  await pacer.take();
  const controller = new AbortController();
  const waiting = pacer.take(controller.signal);
  controller.abort();
  await assert.rejects(waiting, AbortedError);
});

test('a request that takes no slot (a token fetch) still takes its turn under the rateLimit', async () => {
  let now = 1000;
  const turns: number[] = [];
  const lanes = new PacedLanes(1, new RequestPacer(20, () => now, async (ms) => { now += ms; }));
  (await lanes.acquire('small'))();
  turns.push(now);
  await lanes.pace();
  turns.push(now);
  await lanes.pace();
  turns.push(now);
  assert.deepEqual(turns, [1000, 1050, 1100]);
  assert.equal(await new Lanes(1).pace(), undefined, 'unpaced lanes let it go at once');
});
