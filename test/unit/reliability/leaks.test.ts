// The leak detector must itself be able to fail: it finds every credential shape the
// integration tests rely on, and passes what the product's redactor leaves behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaks } from '../../integration/reliability/leaks.js';
import { redact, registerSecret } from '../../../src/ui/redact.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLWJ5dGVz';

test('finds known secrets, base64 user:pass, JWTs and unredacted Authorization values', () => {
  assert.deepEqual(leaks('password is Pw-123456789 here', ['Pw-123456789']), ['Pw-123456789']);
  assert.deepEqual(leaks(`auth ${Buffer.from('robot:Pw-1').toString('base64')}`, [], [['robot', 'Pw-1']]), ['base64(robot:***)']);
  assert.equal(leaks(`token ${JWT}`, []).length, 1);
  assert.equal(leaks('authorization: Bearer abcdefgh12345678', []).length, 1);
  assert.equal(leaks('Authorization: Basic cm9ib3Q6UHctMQ==', []).length, 1);
});

test('passes clean text and what redact() makes of every shape', () => {
  assert.deepEqual(leaks('GET http://127.0.0.1:5000/v2/jetstack/app/manifests/v1.0.0 200 12ms', ['Pw-123456789']), []);
  assert.deepEqual(leaks('authorization: Bearer [REDACTED]', []), []);
  registerSecret('Pw-123456789');
  const lines = [
    `authorization: Bearer ${JWT}`,
    'Authorization: Basic cm9ib3Q6UHctMQ==',
    'GET https://cdn.example/blob?sig=abc123def456&X-Amz-Signature=0011223344',
    'login failed for robot with Pw-123456789',
    `{"identitytoken":"IdTok-0123456789","token":"${JWT}"}`,
  ];
  for (const line of lines) assert.deepEqual(leaks(redact(line), ['Pw-123456789', 'IdTok-0123456789']), [], redact(line));
});
