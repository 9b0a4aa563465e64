// Crash-safe file writes for the layout: content goes to a temp file beside its final name,
// is flushed to disk, and only then renamed, so a name never holds half of what it promises.
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortedError } from '../../types/errors.js';

// A dot name so readers that list blobs/<alg>/ for digests can skip it; unique per writer.
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Streams `source` through `check` into `path`; on any failure nothing appears at `path`. */
export async function writeStreamAtomically(path: string, source: Readable, check: Transform, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempNameFor(path);
  const out = createWriteStream(temp, { flags: 'wx', flush: true });
  try {
    await pipeline(source, check, out, signal ? { signal } : {});
    await rename(temp, path);
  } catch (err) {
    // A source that fails at once can end the pipeline before the file is even open: removed
    // then, the temp file appeared afterwards and stayed (seen once in CI). Wait for it to close.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await rm(temp, { force: true });
    if (signal?.aborted) throw new AbortedError(`writing ${path} aborted`);
    throw err;
  }
}

/** Writes `bytes` to `path` via a flushed temp file and a rename. */
export async function writeBytesAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempNameFor(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Reads a whole file of at most `limit` bytes; the caller words the errors for absent and too big. */
export async function readCapped(path: string, limit: number, tooBig: (size: number) => Error, missing: () => Error): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) throw missing();
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size > limit) throw tooBig(size);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** True for the errors that mean "no such file" (ENOENT, or a path through a non-directory). */
export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
