import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnonymousMemory } from '../../../src/serve/anonymous.js';
import type { BlobAccess } from '../../../src/registry/blob-access.js';
import type { HttpResponse } from '../../../src/registry/http/types.js';

const stream: BlobAccess = { kind: 'stream', response: {} as HttpResponse };
const anonymous: BlobAccess = { kind: 'anonymous', url: new URL('https://r.example/v2/a/blobs/sha256:x') };

/** A read whose answer the test gives later; `tries` records each call's tryAnonymous. */
function pendingReads() {
  const tries: boolean[] = [];
  const answers: { resolve(a: BlobAccess): void; reject(e: unknown): void }[] = [];
  const read = (tryAnonymous: boolean) => {
    tries.push(tryAnonymous);
    return new Promise<BlobAccess>((resolve, reject) => answers.push({ resolve, reject }));
  };
  return { tries, answers, read };
}

const turn = () => new Promise((r) => setImmediate(r));

// A cold gateway's pull asks for every layer at once: each tried its own anonymous HEAD at a
// token-auth backend before the first refusal was remembered.
test('concurrent first reads at a host share the one anonymous try', async () => {
  const m = new AnonymousMemory();
  const r = pendingReads();
  const all = Array.from({ length: 8 }, () => m.read('r.example', r.read));
  await turn();
  assert.deepEqual(r.tries, [true], 'one anonymous try; the others wait for it');
  r.answers[0]!.resolve(stream);
  await turn();
  assert.deepEqual(r.tries, [true, ...Array(7).fill(false)], 'refused: the others go with credentials');
  for (const a of r.answers.slice(1)) a.resolve(stream);
  await Promise.all(all);
  assert.equal(m.get('r.example'), false);
});

test('an anonymous answer is remembered: later reads try anonymously at once, unshared', async () => {
  const m = new AnonymousMemory();
  assert.equal(await m.read('r.example', async () => anonymous), anonymous);
  assert.equal(m.get('r.example'), true);
  const r = pendingReads();
  void m.read('r.example', r.read);
  void m.read('r.example', r.read);
  await turn();
  assert.deepEqual(r.tries, [true, true]);
});

// A backend lacking every blob answers each anonymous HEAD 404, which teaches nothing: the
// requests waiting for such a try must not then go one at a time.
test('a try that fails teaches nothing; those waiting go on together', async () => {
  const m = new AnonymousMemory();
  const r = pendingReads();
  const all = Array.from({ length: 4 }, () => m.read('r.example', r.read).catch((e: unknown) => e));
  await turn();
  r.answers[0]!.reject(new Error('404'));
  await turn();
  assert.deepEqual(r.tries, [true, true, true, true], 'the three waiting all try now');
  assert.equal(m.get('r.example'), undefined);
  for (const a of r.answers.slice(1)) a.reject(new Error('404'));
  await Promise.all(all);
});
