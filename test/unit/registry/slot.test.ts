// A request's slot and its token (slot.ts): a token that came due while the request queued is
// renewed before it goes, the request keeping its slot; token fetches take no slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lanes } from '../../../src/registry/http/limiter.js';
import { takeSlot } from '../../../src/registry/http/slot.js';
import type { BearerLease, HttpRequest } from '../../../src/registry/http/types.js';

const url = new URL('https://registry.example/v2/a/blobs/uploads/1');

function lease(expiresAt: number, origin = url.origin): BearerLease & { renewed: number } {
  const l = { origin, expiresAt, renewed: 0, renew: async () => { l.renewed++; return 'Bearer fresh'; } };
  return l;
}

test('a token still good goes as it is', async () => {
  const l = lease(Date.now() + 60_000);
  const slot = await takeSlot(new Lanes(1), { method: 'PUT', url, scopes: [], lease: l });
  assert.equal(slot.authorization, undefined);
  assert.equal(l.renewed, 0);
  slot.release();
});

test('a token that came due is renewed, and the slot is held meanwhile', async () => {
  const lanes = new Lanes(1);
  const l = lease(Date.now() - 1);
  const slot = await takeSlot(lanes, { method: 'PUT', url, scopes: [], lane: 'upload', lease: l });
  assert.equal(slot.authorization, 'Bearer fresh');
  assert.equal(l.renewed, 1);
  // The one upload slot is still this request's: another upload waits for it.
  let other = false;
  const next = lanes.acquire('upload').then((release) => { other = true; return release; });
  await new Promise((r) => setImmediate(r));
  assert.equal(other, false);
  slot.release();
  (await next)();
});

test('a hop to another origin never gets the token', async () => {
  const l = lease(Date.now() - 1, 'https://elsewhere.example');
  const slot = await takeSlot(new Lanes(1), { method: 'GET', url, scopes: [], lease: l });
  assert.equal(slot.authorization, undefined);
  assert.equal(l.renewed, 0);
  slot.release();
});

test('a token fetch takes no slot, so it goes even when every slot is held', async () => {
  const lanes = new Lanes(1);
  const held = await Promise.all([lanes.acquire('small'), lanes.acquire('small'), lanes.acquire('small')]);
  const req: HttpRequest = { method: 'GET', url: new URL('https://auth.example/token'), scopes: [], unqueued: true };
  const slot = await takeSlot(lanes, req);
  slot.release();
  held.forEach((release) => release());
});

test('a renewal that fails gives the slot back', async () => {
  const lanes = new Lanes(1);
  const failing: BearerLease = { origin: url.origin, expiresAt: 0, renew: async () => { throw new Error('token service down'); } };
  await assert.rejects(takeSlot(lanes, { method: 'PUT', url, scopes: [], lane: 'upload', lease: failing }), /token service down/);
  const release = await lanes.acquire('upload');
  release();
});
