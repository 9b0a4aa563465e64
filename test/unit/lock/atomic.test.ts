// The record survives a kill at any moment: a child process rewrites it in a loop (two large
// records in turn) and is SIGKILLed at random points; each time the file must parse and equal one
// of the two records, never a mix or a truncation. Also: unchanged records are byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { readLock, writeLock } from '../../../src/lock/file.js';
import { emptyLock, serializeLock, withEntries, type LockFile } from '../../../src/lock/record.js';
import { ConfigError } from '../../../src/types/errors.js';
import { scratchDir } from '../../harness/scratch.js';

const moduleUrl = new URL('../../../src/lock/file.js', import.meta.url).href;

function big(seed: string, n = 3000): LockFile {
  let lock = emptyLock();
  for (let i = 0; i < n; i++) lock = { version: 1, images: { ...lock.images, [`quay.io/jetstack/repo-${i % 50}`]: { ...(lock.images[`quay.io/jetstack/repo-${i % 50}`] ?? {}), [`v1.${i}.0`]: { digest: `sha256:${(seed + i).padStart(64, '0').slice(-64).replace(/[^a-f0-9]/g, 'c')}`, recordedAt: '2026-01-01T00:00:00Z' } } } };
  return lock;
}

// Writes the two records in turn, forever; says "ready" after the first write.
const child = `
const { writeLock } = await import(${JSON.stringify(moduleUrl)});
const [a, b] = JSON.parse(await (await import('node:fs/promises')).readFile(process.env.LOCK_RECORDS, 'utf8'));
const file = process.env.LOCK_FILE;
await writeLock(file, a);
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await writeLock(file, i % 2 ? a : b);
`;

test('a SIGKILL mid-write leaves the old or the new record, never half of one', { timeout: 300_000 }, async () => {
  const dir = await scratchDir('lock-kill');
  try {
    const a = big('a');
    const b = big('b');
    const both = join(dir, 'both.json');
    await (await import('node:fs/promises')).writeFile(both, JSON.stringify([a, b]));
    const texts = new Set([serializeLock(a), serializeLock(b)]);
    const file = join(dir, 'mirrors.lock');
    for (let round = 0; round < 25; round++) {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOCK_RECORDS: both, LOCK_FILE: file } });
      await new Promise<void>((resolve, reject) => {
        proc.stdout.once('data', () => resolve());
        proc.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      // A random point inside the write loop, not a timing assertion: any point must be safe.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
      const text = await readFile(file, 'utf8');
      assert.ok(texts.has(text), `round ${round}: the record is neither the old nor the new one (${text.length} bytes)`);
      assert.doesNotThrow(() => JSON.parse(text));
    }
    // Temporary files a kill left behind are the writer's, in the same directory; the record is whole.
    assert.ok((await readdir(dir)).includes('mirrors.lock'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unchanged record is not rewritten, and equal records are equal bytes', async () => {
  const dir = await scratchDir('lock');
  try {
    const file = join(dir, 'state', 'mirrors.lock');
    assert.deepEqual(await readLock(file), emptyLock());
    const lock = withEntries(emptyLock(), [{ source: 'quay.io/jetstack/x', tag: 'v1.0.0', digest: `sha256:${'a'.repeat(64)}`, recordedAt: '2026-01-01T00:00:00Z' }]);
    await writeLock(file, lock);
    const first = await readFile(file);
    const before = (await stat(file)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await writeLock(file, await readLock(file));
    assert.deepEqual(await readFile(file), first);
    assert.equal((await stat(file)).mtimeMs, before);
    assert.deepEqual(await readLock(file), lock);
    await (await import('node:fs/promises')).writeFile(file, '{"version":1,"images":');
    await assert.rejects(readLock(file), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${file}:1:1: not a regmirror lock file`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
