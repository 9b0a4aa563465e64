import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { rangeAnswerStart, RESUME_PROGRESS, resumable, type Reopened } from '../../../src/registry/blob-resume.js';

const blob = Buffer.from('0123456789abcdefghij');

/** A body that yields `bytes` in 3-byte chunks, then breaks like a reset socket (when `breaks`). */
function body(bytes: Buffer, breaks: boolean): Readable {
  async function* gen() {
    for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    if (breaks) throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  }
  return Readable.from(gen(), { objectMode: false });
}

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('a broken body resumes from the bytes handed on, with the Range start the server answers', async () => {
  const asked: number[] = [];
  const reopen = async (offset: number): Promise<Reopened> => {
    asked.push(offset);
    const end = asked.length === 1 ? 14 : blob.length; // the first resume breaks again at 14
    return { body: body(blob.subarray(offset, end), end < blob.length), start: offset };
  };
  const out = await readAll(resumable(body(blob.subarray(0, 7), true), { size: blob.length, reopen, maxResumes: 5 }));
  assert.equal(out.toString(), blob.toString());
  assert.deepEqual(asked, [7, 14]);
});

test('a server that ignores Range (start 0): the bytes already handed on are skipped', async () => {
  const out = await readAll(resumable(body(blob.subarray(0, 5), true), { size: blob.length, maxResumes: 5, reopen: async () => ({ body: body(blob, false), start: 0 }) }));
  assert.equal(out.toString(), blob.toString());
});

test('gives up after maxResumes, and never on an error that is not a broken connection', async () => {
  const always = async (offset: number): Promise<Reopened> => ({ body: body(blob.subarray(offset, offset + 1), true), start: offset });
  await assert.rejects(readAll(resumable(body(blob.subarray(0, 2), true), { size: blob.length, maxResumes: 2, reopen: always })), /other side closed/);
  const fatal = Readable.from((async function* () { yield blob.subarray(0, 2); throw new Error('digest mismatch'); })(), { objectMode: false });
  let reopened = false;
  await assert.rejects(readAll(resumable(fatal, { size: blob.length, maxResumes: 5, reopen: async () => { reopened = true; return { body: body(blob, false), start: 0 }; } })), /digest mismatch/);
  assert.equal(reopened, false);
});

test('a break after RESUME_PROGRESS bytes earns a fresh budget: a link that drops every 1.5 MiB still delivers', async () => {
  const big = Buffer.alloc(5 * RESUME_PROGRESS, 7);
  const step = 1.5 * RESUME_PROGRESS;
  /** From `offset`, `step` bytes in 64 KiB chunks, then a reset (unless the blob ends first). */
  const dropping = (offset: number): Readable => {
    const end = Math.min(big.length, offset + step);
    return Readable.from((async function* () {
      for (let at = offset; at < end; at += 65536) yield big.subarray(at, Math.min(end, at + 65536));
      if (end < big.length) throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    })(), { objectMode: false });
  };
  const asked: number[] = [];
  const reopen = async (offset: number): Promise<Reopened> => (asked.push(offset), { body: dropping(offset), start: offset });
  const out = await readAll(resumable(dropping(0), { size: big.length, maxResumes: 1, reopen }));
  assert.equal(out.length, big.length);
  assert.deepEqual(asked, [1, 2, 3].map((n) => n * step), 'three resumes with a budget of one: each break came after progress');
  // Breaks after less than RESUME_PROGRESS each: the budget is spent, whatever the total read.
  const small = (offset: number): Reopened => ({ body: body(big.subarray(offset, offset + 100 * 1024), true), start: offset });
  await assert.rejects(readAll(resumable(small(0).body, { size: big.length, maxResumes: 3, reopen: async (o) => small(o) })),
    (e: Error & { code?: string }) => /^the connection broke 4 times in a row with less than 1 MiB read in between, at byte 409600 of 5242880 \(other side closed\)$/.test(e.message) && e.code === 'UND_ERR_SOCKET');
});

test('a range answer\'s start, only when its Content-Range agrees with its length and the blob\'s size', () => {
  assert.equal(rangeAnswerStart('bytes 100-199/200', 100, 200), 100);
  assert.equal(rangeAnswerStart('bytes 100-199/*', undefined, 200), 100);
  assert.equal(rangeAnswerStart('bytes 0-199/200', 100, 200), undefined, 'the asked part under a Content-Range from 0');
  assert.equal(rangeAnswerStart('bytes 100-199/200', 104, 200), undefined, 'more bytes than the range says');
  assert.equal(rangeAnswerStart('bytes 100-199/300', 100, 200), undefined, 'another blob\'s size');
  assert.equal(rangeAnswerStart('bytes 199-100/200', undefined, 200), undefined);
  assert.equal(rangeAnswerStart(undefined, 100, 200), undefined);
});

test('a slow reader gets every byte (the body pauses while the reader is behind)', async () => {
  const big = Buffer.alloc(1 << 20, 7);
  const source = Readable.from((function* () { for (let i = 0; i < big.length; i += 1024) yield big.subarray(i, i + 1024); })(), { objectMode: false });
  const r = resumable(source, { size: big.length, maxResumes: 1, reopen: async () => { throw new Error('no resume expected'); } });
  let total = 0;
  for await (const chunk of r) {
    total += (chunk as Buffer).length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(total, big.length);
});

test('destroying the resumable stream destroys the body under it', async () => {
  const source = body(blob, false);
  const r = resumable(source, { size: blob.length, maxResumes: 1, reopen: async () => ({ body: body(blob, false), start: 0 }) });
  r.destroy();
  await new Promise((resolve) => r.once('close', resolve));
  assert.equal(source.destroyed, true);
});

test('a body closed without its end (destroyed under us) fails the stream, never ends it short', async () => {
  const source = new Readable({ read() {} });
  source.push(blob.subarray(0, 4));
  const r = resumable(source, { size: blob.length, maxResumes: 3, reopen: async () => ({ body: body(blob, false), start: 0 }) });
  setImmediate(() => source.destroy());
  await assert.rejects(readAll(r), /premature close/i);
});

test('an answer without a length that ends short of the blob (HTTP/1.0, a proxy closing) resumes; one whose length is short ends as it ends', async () => {
  const asked: number[] = [];
  const reopen = async (offset: number): Promise<Reopened> => {
    asked.push(offset);
    return { body: body(blob.subarray(offset), false), start: offset };
  };
  const out = await readAll(resumable(body(blob.subarray(0, 9), false), { size: blob.length, reopen, maxResumes: 5 }));
  assert.equal(out.toString(), blob.toString());
  assert.deepEqual(asked, [9]);
  // A Content-Length that is not the blob's size (a wrong size) is the digest check's to report.
  const short = await readAll(resumable(body(blob.subarray(0, 9), false), { size: blob.length, length: 9, reopen, maxResumes: 5 }));
  assert.equal(short.length, 9);
  assert.deepEqual(asked, [9]);
});

test('an answer that ends without an error short of its Content-Length (undici over HTTP/2 when the connection dies) resumes', async () => {
  const asked: number[] = [];
  const reopen = async (offset: number): Promise<Reopened> => {
    asked.push(offset);
    // The first resume is cut short again (it says 13 bytes, sends 5); the second delivers.
    const end = asked.length === 1 ? offset + 5 : blob.length;
    return { body: body(blob.subarray(offset, end), false), start: offset, length: blob.length - offset };
  };
  const out = await readAll(resumable(body(blob.subarray(0, 7), false), { size: blob.length, length: blob.length, reopen, maxResumes: 5 }));
  assert.equal(out.toString(), blob.toString());
  assert.deepEqual(asked, [7, 12]);
});

test('a range answer that ends whole but short of the blob (a store capping each range) is followed by a range for the rest', async () => {
  const asked: number[] = [];
  const capped = async (offset: number): Promise<Reopened> => {
    asked.push(offset);
    const end = Math.min(offset + 4, blob.length);
    return { body: body(blob.subarray(offset, end), false), start: offset, length: end - offset };
  };
  const out = await readAll(resumable(body(blob.subarray(0, 6), true), { size: blob.length, reopen: capped, maxResumes: 2 }));
  assert.equal(out.toString(), blob.toString());
  assert.deepEqual(asked, [6, 10, 14, 18]);
});

test('every byte of the blob, then a close short of a Content-Length too large: the stream ends whole, nothing asked again', async () => {
  let reopened = false;
  const out = await readAll(resumable(body(blob, true), { size: blob.length, length: blob.length + 100, maxResumes: 5, reopen: async () => { reopened = true; return { body: body(blob, false), start: 0 }; } }));
  assert.equal(out.toString(), blob.toString());
  assert.equal(reopened, false);
});
