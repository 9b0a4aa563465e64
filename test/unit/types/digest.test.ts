// Digest parsing: the sha256 fast path and the full grammar must agree on what they accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDigest, parseDigest, sha256, verifyBytes } from '../../../src/types/digest.js';
import { DigestMismatchError, UnsupportedError } from '../../../src/types/errors.js';

const hex = 'a'.repeat(64);

test('sha256 and sha512 digests parse into algorithm and hex', () => {
  assert.deepEqual(parseDigest(`sha256:${hex}`), { algorithm: 'sha256', hex });
  assert.deepEqual(parseDigest(`sha512:${'b'.repeat(128)}`), { algorithm: 'sha512', hex: 'b'.repeat(128) });
});

test('malformed and unknown digests are refused with a reason, never guessed', () => {
  for (const bad of [`sha256:${hex.toUpperCase()}`, `sha256:${hex.slice(1)}`, `sha256:${hex}0`, `sha256:${'g'.repeat(64)}`, `sha384:${'a'.repeat(96)}`, `sha256-${hex}`, 'v1.2.3', '']) {
    assert.throws(() => parseDigest(bad), UnsupportedError, bad);
    assert.equal(isDigest(bad), false, bad);
  }
  assert.throws(() => parseDigest(`sha384:${'a'.repeat(96)}`), /unsupported digest algorithm "sha384"/);
  assert.throws(() => parseDigest(`sha256:${hex.slice(2)}`), /invalid sha256 digest/);
});

test('isDigest tells a tag from a digest', () => {
  assert.equal(isDigest(`sha256:${hex}`), true);
  assert.equal(isDigest('latest'), false);
  assert.equal(isDigest(`sha256-${hex}.sig`), false);
});

test('verifyBytes proves bytes against their digest and size', () => {
  const bytes = Buffer.from('hello');
  verifyBytes(bytes, sha256(bytes), 5);
  assert.throws(() => verifyBytes(bytes, sha256('other')), DigestMismatchError);
  assert.throws(() => verifyBytes(bytes, sha256(bytes), 6), /expected 6 bytes, got 5/);
});
