// The request slots of one registry: how many requests of each kind may be in flight at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Lanes } from '../../../src/registry/http/limiter.js';
import { AbortedError } from '../../../src/types/errors.js';
import type { Lane } from '../../../src/registry/http/types.js';

/** Asks for `count` slots of `lane`; returns the grants so far (a live list) and the release functions. */
function ask(lanes: Lanes, lane: Lane, count: number, signal?: AbortSignal) {
  const granted: (() => void)[] = [];
  const pending = Array.from({ length: count }, () => lanes.acquire(lane, signal).then((release) => void granted.push(release)));
  return { granted, pending };
}

/** Lets every already-settled promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Lanes', () => {
  it('fails the requests waiting for a slot with the reason given (a host gone silent), the held ones kept, and later ones queue as before', async () => {
    const lanes = new Lanes(1);
    const controller = new AbortController();
    const held = ask(lanes, 'small', 4);
    const waiting = [lanes.acquire('small', controller.signal), lanes.acquire('download')];
    await settle();
    const reason = new Error('silent');
    lanes.refuseWaiting(reason);
    for (const w of waiting) await assert.rejects(w, (e) => e === reason);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'the signal\'s one listener stays, with nobody under it');
    held.granted[0]!();
    await settle();
    const next = ask(lanes, 'small', 1);
    await settle();
    assert.equal(next.granted.length, 1, 'the slot freed goes to a new request, not a refused one');
  });

  it('lets small requests use the whole pool (3 × concurrency connections) and concurrency more ready behind them when no blob moves', async () => {
    const lanes = new Lanes(4);
    const small = ask(lanes, 'small', 17);
    await settle();
    assert.equal(small.granted.length, 16);
    small.granted[0]!();
    await settle();
    assert.equal(small.granted.length, 17);
  });

  it('lets blob downloads use idle slots beyond concurrency, below twice concurrency', async () => {
    const lanes = new Lanes(4);
    const downloads = ask(lanes, 'download', 10);
    await settle();
    assert.equal(downloads.granted.length, 7);
  });

  it('always leaves an upload a slot while downloads are held (no deadlock copying within a registry)', async () => {
    const lanes = new Lanes(4);
    const downloads = ask(lanes, 'download', 10);
    const uploads = ask(lanes, 'upload', 3);
    await settle();
    assert.equal(downloads.granted.length, 7);
    assert.equal(uploads.granted.length, 1);
  });

  it('keeps a third of the connections for small requests however many blobs are waiting: blobs never take more than 2 × concurrency', async () => {
    const lanes = new Lanes(4);
    const downloads = ask(lanes, 'download', 20);
    const uploads = ask(lanes, 'upload', 20);
    const small = ask(lanes, 'small', 10);
    await settle();
    assert.equal(downloads.granted.length + uploads.granted.length, 8);
    assert.equal(small.granted.length, 8);
  });

  it('grants freed slots in the order they were asked for', async () => {
    const lanes = new Lanes(1);
    const order: string[] = [];
    const first = ask(lanes, 'small', 4);
    await settle();
    const waiting = ['download', 'small', 'upload'].map((lane) => lanes.acquire(lane as Lane).then((release) => (order.push(lane), release)));
    first.granted.forEach((release) => release());
    const releases = await Promise.all(waiting);
    assert.deepEqual(order, ['download', 'small', 'upload']);
    releases.forEach((release) => release());
  });

  it('grants freed slots lowest priority first, then in the order asked, across lanes', async () => {
    const lanes = new Lanes(1);
    const held = ask(lanes, 'small', 4);
    await settle();
    const order: string[] = [];
    const asked: [Lane, number, string][] = [['small', 5, 'a'], ['download', 1, 'b'], ['small', 3, 'c'], ['upload', 1, 'd'], ['small', 0, 'e'], ['small', 3, 'f']];
    const waiting = asked.map(([lane, priority, name]) => lanes.acquire(lane, undefined, priority).then((release) => (order.push(name), release)));
    // One slot at a time, so each grant shows which waiter came first (the fourth stays held).
    for (const release of held.granted.slice(0, 3)) {
      release();
      await settle();
    }
    assert.deepEqual(order, ['e', 'b', 'd']);
    const releases = await Promise.all(waiting.slice(1, 2).concat(waiting.slice(3, 5)));
    for (const release of releases) {
      release();
      await settle();
    }
    assert.deepEqual(order, ['e', 'b', 'd', 'c', 'f', 'a']);
  });

  it('skips a waiter aborted while queued wherever it sits in the priority order', async () => {
    const lanes = new Lanes(1);
    const held = ask(lanes, 'small', 4);
    await settle();
    const controller = new AbortController();
    const order: number[] = [];
    const waiting = [7, 2, 9, 4, 1, 8].map((priority) => {
      const signal = priority === 2 || priority === 8 ? controller.signal : undefined;
      return lanes.acquire('small', signal, priority).then((release) => (order.push(priority), release()));
    });
    controller.abort();
    held.granted.forEach((release) => release());
    const outcomes = await Promise.allSettled(waiting);
    assert.deepEqual(order, [1, 4, 7, 9]);
    assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 2);
  });

  it('drops a request aborted while queued, and frees a slot only once', async () => {
    const lanes = new Lanes(1);
    const held = ask(lanes, 'small', 4);
    await settle();
    const controller = new AbortController();
    const aborted = lanes.acquire('small', controller.signal);
    const next = ask(lanes, 'small', 1);
    controller.abort();
    await assert.rejects(aborted, AbortedError);
    held.granted[0]!();
    held.granted[0]!();
    await settle();
    assert.equal(next.granted.length, 1);
    const last = ask(lanes, 'small', 1);
    await settle();
    assert.equal(last.granted.length, 0, 'the second call of a release function freed nothing');
  });

  it('queues any number of requests under one signal with one abort listener, and an abort drops them all', async () => {
    const lanes = new Lanes(1);
    const controller = new AbortController();
    const held = ask(lanes, 'small', 4, controller.signal);
    await settle();
    const queued = Array.from({ length: 200 }, () => lanes.acquire('download', controller.signal));
    // One listener, whatever the backlog: a listener each made every new waiter walk the list.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    held.granted[0]!();
    await settle();
    controller.abort();
    const outcomes = await Promise.allSettled(queued);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'the one granted before the abort keeps its slot');
    assert.ok(outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof AbortedError));
  });
});

