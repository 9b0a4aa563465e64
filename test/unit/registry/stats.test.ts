import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStats } from '../../../src/registry/http/send-context.js';

test('the -v cost line names requests by method, retries and token fetches', () => {
  assert.equal(
    describeStats({ requests: 7, byMethod: { PUT: 2, GET: 4, HEAD: 1 }, retries: 1, tokenFetches: 2 }),
    '7 requests (GET 4, HEAD 1, PUT 2), 1 retry, 2 token fetches',
  );
  assert.equal(describeStats({ requests: 0, byMethod: {}, retries: 0, tokenFetches: 1 }), '0 requests, 0 retries, 1 token fetch');
});
