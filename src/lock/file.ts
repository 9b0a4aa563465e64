// The digest record on disk (SPEC "lock"; issue 12's gateway reads it too). Written atomically:
// the new text goes to a temporary file in the same directory, is flushed, then renamed over the
// record, so a kill at any moment leaves the old file or the new one, never half of either.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../types/errors.js';
import { emptyLock, lockProblem, serializeLock, type LockEntry, type LockFile } from './record.js';

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
