import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { blobHead, rangeOf, slicing } from '../../../src/serve/range.js';

test('a single range is served as distribution 2.8 serves it; several, or one HTTP lets be ignored, are not', () => {
  assert.deepEqual(rangeOf('bytes=100-', 1000), { from: 100, to: 999 });
  assert.deepEqual(rangeOf(' bytes=100-999', 1000), { from: 100, to: 999 });
  assert.deepEqual(rangeOf('bytes=0-', 1000), { from: 0, to: 999 });
  assert.deepEqual(rangeOf('bytes=100-5000', 1000), { from: 100, to: 999 }, 'past the end: to the end');
  assert.deepEqual(rangeOf('bytes=0-9', 1000), { from: 0, to: 9 });
  assert.deepEqual(rangeOf('bytes=5-5', 1000), { from: 5, to: 5 });
  assert.deepEqual(rangeOf('bytes=-100', 1000), { from: 900, to: 999 }, 'a suffix: the last 100 bytes');
  assert.deepEqual(rangeOf('bytes=-5000', 1000), { from: 0, to: 999 }, 'a suffix longer than the blob: all of it');
  for (const past of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) assert.equal(rangeOf(past, 1000), 'unsatisfiable', past);
  for (const other of ['bytes=0-9,20-', 'bytes=9-0', 'bytes=-', 'items=1-', 'bytes=x-', undefined]) assert.equal(rangeOf(other, 1000), undefined, String(other));
  assert.equal(rangeOf('bytes=1-', undefined), undefined, 'no length known (a gzipped blob decoded on its way in)');
  const type = { 'content-type': 'application/octet-stream', 'docker-content-digest': 'sha256:d' };
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=100-'), { status: 206, headers: { ...type, 'content-range': 'bytes 100-999/1000', 'content-length': '900' }, from: 100, to: 999 });
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=0-9'), { status: 206, headers: { ...type, 'content-range': 'bytes 0-9/1000', 'content-length': '10' }, from: 0, to: 9 });
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=1000-'), { status: 416, headers: { 'content-range': 'bytes */1000', 'content-length': '0', 'docker-content-digest': 'sha256:d' } });
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=0-9,20-29'), { status: 200, headers: { 'content-length': '1000', ...type } });
  assert.deepEqual(blobHead('sha256:d', undefined, 'bytes=1-'), { status: 200, headers: type }, 'no length known: the whole blob, its length unsaid');
});

test('slicing passes exactly bytes from..to across chunks, the rest read and dropped', async () => {
  const chunks = () => Readable.from([Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hi')]);
  assert.equal((await buffer(chunks().pipe(slicing(5, 8)))).toString(), 'fghi');
  assert.equal((await buffer(chunks().pipe(slicing(0, 8)))).toString(), 'abcdefghi');
  assert.equal((await buffer(chunks().pipe(slicing(3, 6)))).toString(), 'defg');
  assert.equal((await buffer(chunks().pipe(slicing(1, 4)))).toString(), 'bcde');
  assert.equal((await buffer(chunks().pipe(slicing(7, 7)))).toString(), 'h');
});

test("slicing holds a range's last bytes until the stream ends (the blob's proof upstream)", async () => {
  const s = slicing(0, 1);
  const out: string[] = [];
  s.on('data', (c: Buffer) => out.push(c.toString()));
  s.write(Buffer.from('ab'));
  s.write(Buffer.from('cd'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(out, [], 'the whole range is not out before the end');
  s.end();
  await new Promise((r) => s.once('end', r));
  assert.deepEqual(out, ['ab']);
});
