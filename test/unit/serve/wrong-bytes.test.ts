import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WrongBytes, wrongBytesLine } from '../../../src/serve/wrong-bytes.js';

const D = `sha256:${'a'.repeat(64)}`;

test('a backend found serving wrong bytes is skipped for that blob only, until the memory expires', () => {
  const w = new WrongBytes(1000);
  assert.equal(w.add('quay.io', D, 0), true, 'news: worth a log line');
  assert.equal(w.add('quay.io', D, 10), false, 'known: said once');
  assert.equal(w.has('quay.io', D, 999), true);
  assert.equal(w.has('ghcr.io', D, 10), false, 'another backend');
  assert.equal(w.has('quay.io', `sha256:${'b'.repeat(64)}`, 10), false, 'another blob');
  assert.equal(w.has('quay.io', D, 1000), false, 'expired: a repaired mirror is used again');
  assert.equal(w.add('quay.io', D, 1000), true, 'still wrong after that: said again');
});

test('the memory is bounded', () => {
  const w = new WrongBytes(1000, 2);
  for (const host of ['a', 'b', 'c']) w.add(host, D, 0);
  assert.deepEqual(['a', 'b', 'c'].map((h) => w.has(h, D, 1)), [false, true, true]);
});

test('the log line names the backend, the blob, its repository there and what the bytes hash to', () => {
  const line = wrongBytesLine('quay.io', D, 'cert-manager/cert-manager-controller', `sha256:${'c'.repeat(64)}`);
  assert.match(line, /^backend quay\.io served sha256:a{64} of cert-manager\/cert-manager-controller with wrong bytes \(they hash to sha256:c{64}\); skipped for that blob for 10 min \(its copy there needs repair\)$/);
});
