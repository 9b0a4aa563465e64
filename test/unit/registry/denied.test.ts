import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeniedScopes, stillDenied } from '../../../src/registry/http/denied.js';
import { AccessDeniedError } from '../../../src/types/errors.js';

test('a refusal stands for its time to live, then the repository is asked about again', () => {
  assert.equal(stillDenied(1000, 1000, 10_000), true);
  assert.equal(stillDenied(1000, 10_999, 10_000), true);
  assert.equal(stillDenied(1000, 11_000, 10_000), false);
  assert.equal(stillDenied(0, Number.MAX_SAFE_INTEGER, Infinity), true, 'a CLI run: for good');
});

test('DeniedScopes forgets a refusal once it expires (the gateway), never by default (a run)', () => {
  let now = 0;
  const gateway = new DeniedScopes(10_000, () => now);
  const run = new DeniedScopes(undefined, () => now);
  const error = new AccessDeniedError('quay.io/cert-manager/x: repository absent or access denied');
  gateway.set('repository:cert-manager/x:pull', error);
  run.set('repository:cert-manager/x:pull', error);
  now = 9_999;
  assert.equal(gateway.get('repository:cert-manager/x:pull'), error);
  assert.equal(gateway.get('repository:cert-manager/y:pull'), undefined, 'another scope');
  now = 10_000;
  assert.equal(gateway.get('repository:cert-manager/x:pull'), undefined, 'asked again');
  assert.equal(run.get('repository:cert-manager/x:pull'), error);
  now = 1e12;
  assert.equal(run.get('repository:cert-manager/x:pull'), error);
});
