import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { keepFrom, leftBehind, mayJoin, SHARE_WINDOW } from '../../../src/serve/share-window.js';
import { SharedReads } from '../../../src/serve/shared-read.js';

const W = SHARE_WINDOW;

test('a client may join a read while its first byte is kept: within the window, not ended, someone sharing it', () => {
  assert.equal(mayJoin(0, 1, false), true);
  assert.equal(mayJoin(W, 3, false), true);
  assert.equal(mayJoin(W + 1, 3, false), false, 'past the window: its start is let go');
  assert.equal(mayJoin(10, 0, false), false, 'nobody reads it: it is stopping');
  assert.equal(mayJoin(10, 2, true), false, 'ended');
});

test('a sharer is left behind only farther than the window from the head', () => {
  assert.equal(leftBehind(W, 0), false);
  assert.equal(leftBehind(W + 1, 0), true);
  assert.equal(leftBehind(3 * W, 2 * W), false);
});

test('the bytes kept: the whole start while clients may join, then from the slowest sharer', () => {
  assert.equal(keepFrom(W, [W, 5]), 0);
  assert.equal(keepFrom(W + 10, [W + 10, 20]), 20);
  assert.equal(keepFrom(W + 10, []), W + 10);
});

/** A blob of `size` bytes (each byte its offset mod 251), and a source that sends it when pulled. */
function blob(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = i % 251;
  return b;
}

function sourceOf(bytes: Buffer, chunk = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      this.push(at < bytes.length ? bytes.subarray(at, (at += chunk)) : null);
    },
  });
}

/** A client joining the read under way for `key` (none under way: a failure). */
async function join(shares: SharedReads<string>, key: string, alone: (at: number) => Promise<Readable>): Promise<{ body: Readable; said: string }> {
  const e = await shares.enter(key, alone);
  return e && 'body' in e ? e : assert.fail(`not joined: ${JSON.stringify(e)}`);
}

async function all(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('three clients of one read get every byte; the backend is read once', async () => {
  const bytes = blob(3 * W);
  const shares = new SharedReads<string>();
  let alone = 0;
  const readAlone = async (at: number) => (alone++, Readable.from([bytes.subarray(at)]));
  const first = shares.start('k', 'B', sourceOf(bytes), readAlone);
  const others = [await join(shares, 'k', readAlone), await join(shares, 'k', readAlone)];
  assert.deepEqual(others.map((o) => o?.said), ['B', 'B']);
  const got = await Promise.all([all(first), ...others.map((o) => all(o!.body))]);
  for (const g of got) assert.ok(g.equals(bytes));
  assert.equal(alone, 0, 'nobody read alone');
  assert.ok('done' in ((await shares.enter('k', readAlone)) ?? {}), 'ended: nothing to join, the next client opens a read');
});

test('a client that stops reading is left behind and reads the rest alone; the others are not held', async () => {
  const bytes = blob(4 * W);
  const shares = new SharedReads<string>();
  const from: number[] = [];
  const readAlone = async (at: number) => (from.push(at), Readable.from([bytes.subarray(at)]));
  const fast = shares.start('k', 'B', sourceOf(bytes), readAlone);
  const slow = (await join(shares, 'k', readAlone)).body;
  const fastBytes = await all(fast); // slow has not read a byte meanwhile
  assert.ok(fastBytes.equals(bytes));
  assert.equal(from.length, 1, 'the paused client went on with a read of its own');
  assert.ok((await all(slow)).equals(bytes), 'and still got every byte, in order');
});

test('a client that goes away does not cut the others; the last one leaving stops the read', async () => {
  const bytes = blob(3 * W);
  const shares = new SharedReads<string>();
  const readAlone = async (at: number) => Readable.from([bytes.subarray(at)]);
  const source = sourceOf(bytes);
  const leaving = shares.start('k', 'B', source, readAlone);
  const staying = (await join(shares, 'k', readAlone)).body;
  leaving.once('data', () => leaving.destroy());
  leaving.resume();
  assert.ok((await all(staying)).equals(bytes));
  const source2 = sourceOf(bytes);
  const only = shares.start('k2', 'B', source2, readAlone);
  only.once('data', () => only.destroy());
  only.resume();
  await new Promise((r) => source2.once('close', r));
  assert.ok('done' in ((await shares.enter('k2', readAlone)) ?? {}), 'stopped: nothing to join');
});

test('a read that fails fails every client sharing it', async () => {
  const shares = new SharedReads<string>();
  const source = new PassThrough();
  const a = shares.start('k', 'B', source, async () => Readable.from([]));
  const b = (await join(shares, 'k', async () => Readable.from([]))).body;
  const got = [all(a), all(b)];
  source.write(Buffer.alloc(1000));
  source.destroy(new Error('every backend broke it off'));
  await assert.rejects(got[0]!, /broke it off/);
  await assert.rejects(got[1]!, /broke it off/);
});

test('clients arriving while the first one is still asking the backends wait for its answer, then join its read', async () => {
  const bytes = blob(2 * W);
  const shares = new SharedReads<string>();
  const readAlone = async (at: number) => Readable.from([bytes.subarray(at)]);
  // Three arriving together: one opens it, checked and taken at once.
  const entered = [shares.enter('k', readAlone), shares.enter('k', readAlone), shares.enter('k', readAlone)];
  const opening = await entered[0]!;
  assert.ok(opening && 'done' in opening);
  const first = shares.start('k', 'B', sourceOf(bytes), readAlone);
  opening.done();
  const joined = (await Promise.all(entered.slice(1))).map((j) => (j && 'body' in j ? j.body : assert.fail('not joined')));
  const got = await Promise.all([all(first), ...joined.map((j) => all(j))]);
  for (const g of got) assert.ok(g.equals(bytes));
});

test('an opening that led to no shared read (a redirect, a failure) lets the waiting clients go on alone', async () => {
  const shares = new SharedReads<string>();
  const opening = (await shares.enter('k', async () => Readable.from([]))) as { done(): void };
  const waiting = shares.enter('k', async () => Readable.from([]));
  opening.done();
  assert.equal(await waiting, undefined, 'it goes on alone: waiting clients are not lined up one by one');
  assert.ok('done' in ((await shares.enter('k', async () => Readable.from([]))) ?? {}), 'the next client opens it again');
});
