import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codingToUndo } from '../../../src/registry/http/content-coding.js';

test('a coding a middlebox added is undone: gzip, x-gzip, deflate, br, any case', () => {
  assert.equal(codingToUndo(200, 'gzip', '120'), 'gzip');
  assert.equal(codingToUndo(200, 'X-Gzip', undefined), 'gzip');
  assert.equal(codingToUndo(200, 'deflate', undefined), 'deflate');
  assert.equal(codingToUndo(200, ' br ', undefined), 'br');
  assert.equal(codingToUndo(404, 'gzip', '40'), 'gzip');
});

test('bytes are taken as they are: no coding, identity, an unknown one, a range, no body', () => {
  assert.equal(codingToUndo(200, undefined, '10'), undefined);
  assert.equal(codingToUndo(200, 'identity', '10'), undefined);
  assert.equal(codingToUndo(200, 'zstd', '10'), undefined);
  assert.equal(codingToUndo(200, 'gzip, br', '10'), undefined);
  assert.equal(codingToUndo(206, 'gzip', '10'), undefined);
  assert.equal(codingToUndo(204, 'gzip', undefined), undefined);
});

test('an answer exactly the blob\'s size is the stored blob under a wrong label (moby/moby#17595)', () => {
  assert.equal(codingToUndo(200, 'x-gzip', '71478', 71478), undefined);
  assert.equal(codingToUndo(200, 'gzip', '71500', 71478), 'gzip');
  assert.equal(codingToUndo(200, 'gzip', undefined, 71478), 'gzip');
});
