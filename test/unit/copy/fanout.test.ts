import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { fanOut, REJOIN_BYTES } from '../../../src/copy/fanout.js';

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
  const [a, b] = fanOut(source, 2).branches;
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
  const [a, b] = fanOut(source, 2).branches;
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
  const branches = fanOut(source, 3).branches;
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
    const [read] = fanOut(source, 2).branches;
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

test('a late branch joins a read still within its first REJOIN_BYTES and sees every byte from the first; past them it cannot', async () => {
  const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1024 * 1024, i)); // 40 MiB
  const expected = createHash('sha256');
  chunks.forEach((c) => expected.update(c));
  const source = new Readable({ read() {} });
  const { branches, rejoin } = fanOut(source, 2);
  let flowed = 0;
  source.on('data', (c: Buffer) => (flowed += c.length));
  const [kept, refused] = [sink(0), sink(0)];
  const keep = pipeline(branches[0]!, kept.w);
  // The second upload reads 3 MiB, then is refused and starts again: on a late branch.
  let seen = 0;
  const early = new Writable({ write(c: Buffer, _e, done) { seen += c.length; done(seen > 3 * 1024 * 1024 ? new Error('refused') : null); } });
  const failing = pipeline(branches[1]!, early).catch(() => undefined);
  for (const c of chunks.slice(0, 8)) source.push(c);
  await failing;
  const late = rejoin();
  assert.ok(late, 'within the first 16 MiB');
  branches[1]!.destroy();
  const joined = pipeline(late, refused.w);
  for (const c of chunks.slice(8, 20)) source.push(c);
  while (flowed < 20 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(rejoin(), undefined, `past ${REJOIN_BYTES} bytes`);
  for (const c of chunks.slice(20)) source.push(c);
  source.push(null);
  await Promise.all([keep, joined]);
  const want = expected.digest('hex');
  assert.equal(kept.hash.digest('hex'), want);
  assert.equal(refused.hash.digest('hex'), want);
});
