import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { fanOut } from '../../../src/copy/fanout.js';

function sink(delayMs: number, hash = createHash('sha256')) {
  const w = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _e, done) {
      hash.update(chunk);
      setTimeout(done, delayMs);
    },
  });
  return { w, hash };
}

test('every branch receives every byte in order, at the pace of the slowest', async () => {
  const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(64 * 1024, i));
  const expected = createHash('sha256');
  chunks.forEach((c) => expected.update(c));
  let read = 0;
  const source = Readable.from(
    (function* () {
      for (const c of chunks) {
        read += 1;
        yield c;
      }
    })(),
  );
  const fast = sink(0);
  const slow = sink(1);
  const [a, b] = fanOut(source, 2);
  let maxAhead = 0;
  const watcher = setInterval(() => (maxAhead = Math.max(maxAhead, read)), 1);
  await Promise.all([pipeline(a!, fast.w), pipeline(b!, slow.w)]);
  clearInterval(watcher);
  const want = expected.digest('hex');
  assert.equal(fast.hash.digest('hex'), want);
  assert.equal(slow.hash.digest('hex'), want);
});

test('a branch that fails is dropped and the others finish', async () => {
  const source = Readable.from(Array.from({ length: 50 }, () => Buffer.alloc(32 * 1024, 7)));
  const [a, b] = fanOut(source, 2);
  const ok = sink(0);
  const failing = new Writable({
    write(_c, _e, done) {
      done(new Error('upload refused'));
    },
  });
  const results = await Promise.allSettled([pipeline(a!, ok.w), pipeline(b!, failing)]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
});

test('a source error reaches every branch', async () => {
  const source = new Readable({ read() { this.destroy(new Error('reset')); } });
  const branches = fanOut(source, 3);
  const results = await Promise.allSettled(branches.map((br) => pipeline(br, sink(0).w)));
  for (const r of results) assert.equal(r.status, 'rejected');
});

test('a source error with a branch nobody reads yet is no uncaught error', async () => {
  // SIGTERM mid-sync: the source read is aborted while one target's upload still waits for a
  // request slot (a registry slowed down by 429s): its branch had no 'error' listener, and the
  // run ended as "internal error", exit 1, instead of its interrupted summary.
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const source = new Readable({ read() {} });
    const [read] = fanOut(source, 2);
    const reading = pipeline(read!, sink(0).w);
    source.push(Buffer.alloc(1024, 1));
    source.destroy(new Error('interrupted by SIGTERM'));
    await assert.rejects(reading, /interrupted/);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
});
