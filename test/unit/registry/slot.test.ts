// A request's token at send time (slot.ts): a token that came due while the request queued is
// renewed before it goes; a hop to another origin never gets it; a failed renewal frees the slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueLease, renewHeld } from '../../../src/registry/http/slot.js';
import type { BearerLease, HttpRequest } from '../../../src/registry/http/types.js';

const url = new URL('https://registry.example/v2/a/blobs/uploads/1');
const lease = (expiresAt: number, origin = url.origin): BearerLease => ({ origin, expiresAt, renew: async () => 'Bearer fresh' });
const put = (l?: BearerLease): HttpRequest => ({ method: 'PUT', url, scopes: [], lease: l });

test('a token still good, or no token, goes as it is', () => {
  assert.equal(dueLease(put(lease(1000)), 999), undefined);
  assert.equal(dueLease(put(), 999), undefined);
});

test('a token that came due is to be renewed', () => {
  const l = lease(1000);
  assert.equal(dueLease(put(l), 1000), l);
});

test('a hop to another origin never gets the token, due or not', () => {
  assert.equal(dueLease(put(lease(1000, 'https://cdn.example')), 5000), undefined);
});

test('renewing gives the new header; a renewal that fails gives the slot back', async () => {
  let released = 0;
  assert.equal(await renewHeld(lease(0), () => released++), 'Bearer fresh');
  assert.equal(released, 0);
  const failing: BearerLease = { origin: url.origin, expiresAt: 0, renew: async () => { throw new Error('token service down'); } };
  await assert.rejects(renewHeld(failing, () => released++), /token service down/);
  assert.equal(released, 1);
});
