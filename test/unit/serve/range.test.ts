import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { blobHead, rangeFrom, skipping } from '../../../src/serve/range.js';

test('a range from N to the end is served as such; any other range, or none, is not', () => {
  assert.equal(rangeFrom('bytes=100-', 1000), 100);
  assert.equal(rangeFrom(' bytes=100-999', 1000), 100);
  assert.equal(rangeFrom('bytes=0-', 1000), 0);
  assert.equal(rangeFrom('bytes=100-5000', 1000), 100, 'past the end: to the end');
  for (const other of ['bytes=0-9', 'bytes=1000-', 'bytes=-100', 'bytes=0-9,20-', 'items=1-', 'bytes=x-', undefined]) assert.equal(rangeFrom(other, 1000), undefined, String(other));
  assert.equal(rangeFrom('bytes=1-', undefined), undefined, 'no length known (a gzipped blob decoded on its way in)');
  const type = { 'content-type': 'application/octet-stream', 'docker-content-digest': 'sha256:d' };
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=100-'), { status: 206, headers: { ...type, 'content-range': 'bytes 100-999/1000', 'content-length': '900' }, from: 100 });
  assert.deepEqual(blobHead('sha256:d', 1000, 'bytes=0-9'), { status: 200, headers: { 'content-length': '1000', ...type } });
  assert.deepEqual(blobHead('sha256:d', undefined, 'bytes=1-'), { status: 200, headers: type }, 'no length known: the whole blob, its length unsaid');
});

test('skipping drops exactly the first n bytes across chunks', async () => {
  const chunks = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hi')];
  assert.equal((await buffer(Readable.from(chunks).pipe(skipping(5)))).toString(), 'fghi');
  assert.equal((await buffer(Readable.from(chunks).pipe(skipping(0)))).toString(), 'abcdefghi');
  assert.equal((await buffer(Readable.from(chunks).pipe(skipping(3)))).toString(), 'defghi');
});
