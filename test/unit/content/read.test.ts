// readCapped: a whole body under a cap, from events (no async iterator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readCapped } from '../../../src/content/read.js';
import { SizeLimitError } from '../../../src/types/errors.js';

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)), { objectMode: false });

test('reads every chunk into one buffer', async () => {
  assert.equal((await readCapped(chunks('ab', 'cd', 'e'), 5)).toString(), 'abcde');
  assert.equal((await readCapped(chunks(), 5)).length, 0);
});

test('over the cap: SizeLimitError naming what was read, and the stream destroyed', async () => {
  const body = chunks('abc', 'def');
  await assert.rejects(readCapped(body, 4, 'manifest x'), (e: unknown) => e instanceof SizeLimitError && /manifest x is larger than 4 bytes/.test(e.message));
  assert.equal(body.destroyed, true);
});

test('a body that fails mid-way rejects with its error', async () => {
  const body = new Readable({ read() {} });
  body.push(Buffer.from('ab'));
  setImmediate(() => body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })));
  await assert.rejects(readCapped(body, 100), /other side closed/);
});
