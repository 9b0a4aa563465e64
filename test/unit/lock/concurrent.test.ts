// Shards of one backfill run at the same time on one checkout and write one record at the end.
// Each read the record again and laid its entries over it, but two that read it at the same
// moment each wrote back only the other's absence: 4 shards of 900 tags, finishing within a
// second of each other, left 672 in the record. The write now takes turns through an exclusive
// marker file; one left by a run killed during its turn (kill -9) does not block the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { readLock, updateLock } from '../../../src/lock/file.js';
import { emptyLock, recorded, withEntries, type LockFile } from '../../../src/lock/record.js';
import { scratchDir } from '../../harness/scratch.js';

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

/** What shard `k` of `n` recorded: its share of 40 repositories × 3 tags. */
function shard(k: number, n: number): LockFile {
  const updates = [];
  for (let i = 0; i < 120; i++) if (i % n === k) updates.push({ source: `quay.io/org/repo${Math.floor(i / 3)}`, tag: `v1.${i % 3}.0`, digest: digest(i), recordedAt: '2026-01-01T00:00:00Z' });
  return withEntries(emptyLock(), updates);
}

function count(lock: LockFile): number {
  return Object.values(lock.images).reduce((n, tags) => n + Object.keys(tags).length, 0);
}

test('shards finishing at the same moment all keep their entries in the record', async () => {
  const dir = await scratchDir('lock-concurrent');
  try {
    const file = join(dir, 'mirrors.lock');
    // All read the (empty) record when they started; all write at once.
    await Promise.all(Array.from({ length: 8 }, (_, k) => updateLock(file, emptyLock(), shard(k, 8))));
    const lock = await readLock(file);
    assert.equal(count(lock), 120);
    assert.equal(recorded(lock, 'quay.io/org/repo39', 'v1.2.0')?.digest, digest(119));
    assert.deepEqual((await readdir(dir)).sort(), ['mirrors.lock'], 'no marker or temporary file is left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a marker left by a run that was killed during its turn is taken over', async () => {
  const dir = await scratchDir('lock-concurrent');
  try {
    const file = join(dir, 'mirrors.lock');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await writeFile(join(dir, '.mirrors.lock.writing'), `${gone}@${hostname()}`);
    await updateLock(file, emptyLock(), shard(0, 1));
    assert.equal(count(await readLock(file)), 120);
    assert.deepEqual(await readdir(dir), ['mirrors.lock']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Every waiter saw the dead holder and removed the marker; one that did so after another had taken
// its turn removed that one's fresh marker, and both wrote at once: 4 shard processes finishing
// together after a kill -9 left 30 to 90 of 120 entries in 11 rounds of 20 (here, in one process,
// the two writers also tore each other's temporary file: ENOENT on rename).
test('a dead marker met by many shards at once is taken over by one of them: every entry stays', async () => {
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  for (let round = 0; round < 5; round++) {
    const dir = await scratchDir('lock-concurrent');
    try {
      const file = join(dir, 'mirrors.lock');
      await writeFile(join(dir, '.mirrors.lock.writing'), `${gone}@${hostname()}`);
      await Promise.all(Array.from({ length: 8 }, (_, k) => updateLock(file, emptyLock(), shard(k, 8))));
      assert.equal(count(await readLock(file)), 120, `round ${round}`);
      assert.deepEqual(await readdir(dir), ['mirrors.lock'], 'no marker, ticket or temporary file is left');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
