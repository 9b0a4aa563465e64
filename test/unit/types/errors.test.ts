// CopyError's line: which side failed and where, said once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyError, NotFoundError, RegistryResponseError, triedOut } from '../../../src/types/errors.js';

test('a CopyError names the repository once, also when the cause already starts with it (a layout\'s own errors do)', () => {
  const layout = 'oci:/tmp/windows';
  assert.equal(new CopyError('source', layout, new NotFoundError(`${layout}: blob sha256:abc not found`)).message, `source ${layout}: blob sha256:abc not found`);
  assert.equal(new CopyError('destination', 'r.example/app', new Error('500 Internal Server Error')).message, 'destination r.example/app: 500 Internal Server Error');
});

// An index's schema 1 child is refused as "REPOSITORY@sha256:… is a Docker schema 1 manifest": the
// line read "source r.example/app: r.example/app:sha256:… is …", the repository twice.
test('a CopyError names the repository once when the cause starts with one manifest of it by digest', () => {
  const said = `r.example/app@sha256:${'a'.repeat(64)} is a Docker schema 1 manifest`;
  assert.equal(new CopyError('source', 'r.example/app', new Error(said)).message, `source ${said}`);
});

// triedOut kept the stack of the error it re-said, so -v's trace began with the old message.
test('an error said again by triedOut has its new message on the first line of its stack, the same frames under it', () => {
  const err = new RegistryResponseError('PUT', 'https://r.example/v2/app/manifests/v1', 502, [], '502 Bad Gateway');
  const said = triedOut(err, 'manifest v1 not pushed', 3);
  assert.ok(said instanceof RegistryResponseError);
  assert.equal(said.message, `manifest v1 not pushed, tried 3 times; the last time: ${err.message}`);
  const [first, ...frames] = (said.stack ?? '').split('\n');
  assert.match(first ?? '', /^\w+: manifest v1 not pushed, tried 3 times; the last time: PUT https:\/\/r\.example\/v2\/app\/manifests\/v1: 502 Bad Gateway$/);
  assert.deepEqual(frames, (err.stack ?? '').split('\n').slice(1));
  assert.ok(frames.length > 0);
});
