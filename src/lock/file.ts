// The digest record on disk (SPEC "lock"; issue 12's gateway reads it too). Written atomically:
// the new text goes to a temporary file in the same directory, is flushed, then renamed over the
// record, so a kill at any moment leaves the old file or the new one, never half of either.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../types/errors.js';
import { emptyLock, lockProblem, mergeLock, serializeLock, type LockEntry, type LockFile } from './record.js';

/** The record's shapes, defined with its pure functions in record.ts (issue 12 imports them from here). */
export type { LockEntry, LockFile };

/** Reads the record; a missing file is an empty record; a malformed one is a ConfigError naming the file. */
export async function readLock(file: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyLock();
    throw new ConfigError(file, 1, 1, `cannot read the lock file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, 1, 1, `not a regmirror lock file: invalid JSON (${(err as Error).message}); restore it from version control`);
  }
  const problem = lockProblem(json);
  if (problem) throw new ConfigError(file, 1, 1, `not a regmirror lock file: ${problem}`);
  return json as LockFile;
}

/** Writes the record atomically (temp file + fsync + rename in the same directory); unchanged text is not rewritten. */
export async function writeLock(file: string, lock: LockFile): Promise<void> {
  const text = serializeLock(lock);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return;
  // A record in a directory of its own (`lock: ./state/mirrors.lock`) may be the first file there.
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Lays what this run recorded (`after`, from the `before` it read) over the record as it is on
 * disk now, and writes it: the end of a sync. Shards running at the same time on one file take
 * turns (an exclusive `.NAME.writing` file beside it): two that read the record at the same moment
 * each wrote their own entries over the other's (4 shards of 900 tags left 672 in the record).
 */
export async function updateLock(file: string, before: LockFile, after: LockFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const release = await takeTurn(file, path.join(path.dirname(file), `.${path.basename(file)}.writing`));
  try {
    await writeLock(file, mergeLock(await readLock(file), before, after));
  } finally {
    await release();
  }
}

/** How long a run waits for the others' turns (each lasts one read and one write of the record). */
const TURN_WAIT_MS = 120_000;

async function takeTurn(file: string, marker: string): Promise<() => Promise<void>> {
  const me = `${process.pid}@${hostname()}`;
  const until = Date.now() + TURN_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(marker, 'wx', 0o644);
      await handle.writeFile(me).finally(() => handle.close());
      return async () => unlink(marker).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A run killed during its turn (kill -9) left the marker: its process is gone, so it is removed.
    const holder = await readFile(marker, 'utf8').catch(() => undefined);
    if (holder !== undefined && !alive(holder)) {
      await takeOver(marker, holder);
      continue;
    }
    if (Date.now() > until) throw new Error(`cannot write the lock file ${file}: ${marker} has been held by ${holder ?? 'another run'} for ${TURN_WAIT_MS / 1000} s; if no other regmirror is running, delete ${marker} and run again`);
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
  }
}

/**
 * Removes the marker a dead `holder` left, once. Every waiter sees the dead holder: one that
 * removed the marker after another had already taken its turn removed that one's fresh marker, and
 * both wrote the record at once (shards finishing together after a kill -9 lost entries). Only the
 * waiter that creates the ticket `MARKER.HOLDER` removes it, and only while it still names that
 * holder; the others wait for the turn as usual.
 */
async function takeOver(marker: string, holder: string): Promise<void> {
  const ticket = `${marker}.${holder}`;
  try {
    await (await open(ticket, 'wx', 0o644)).close();
  } catch {
    return;
  }
  try {
    if ((await readFile(marker, 'utf8').catch(() => undefined)) === holder) await unlink(marker).catch(() => undefined);
  } finally {
    await unlink(ticket).catch(() => undefined);
  }
}

/** Whether the process named `pid@host` may still be running (another host's cannot be checked). */
function alive(holder: string): boolean {
  const [pid, host] = holder.split('@');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
