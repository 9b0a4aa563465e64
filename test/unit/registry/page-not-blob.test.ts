import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageInsteadOfBlob } from '../../../src/registry/blobs.js';

test('an HTML answer of another size than the blob is a page; anything else is left to the digest check', () => {
  assert.equal(pageInsteadOfBlob('text/html; charset=utf-8', 138, 376), true);
  assert.equal(pageInsteadOfBlob('TEXT/HTML', undefined, 376), true);
  assert.equal(pageInsteadOfBlob('text/html', 376, 376), false);
  assert.equal(pageInsteadOfBlob('application/octet-stream', 138, 376), false);
  assert.equal(pageInsteadOfBlob(undefined, 138, 376), false);
});
