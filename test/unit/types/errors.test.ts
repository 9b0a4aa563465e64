// CopyError's line: which side failed and where, said once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyError, NotFoundError } from '../../../src/types/errors.js';

test('a CopyError names the repository once, also when the cause already starts with it (a layout\'s own errors do)', () => {
  const layout = 'oci:/tmp/windows';
  assert.equal(new CopyError('source', layout, new NotFoundError(`${layout}: blob sha256:abc not found`)).message, `source ${layout}: blob sha256:abc not found`);
  assert.equal(new CopyError('destination', 'r.example/app', new Error('500 Internal Server Error')).message, 'destination r.example/app: 500 Internal Server Error');
});
