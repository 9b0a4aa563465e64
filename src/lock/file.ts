// The digest record (`lock:` in mirrors.yaml, SPEC.md "mirrors.yaml"): every mirrored (source
// repository, tag) with the digest first mirrored. Written by sync (issue 11); read by serve.
import { readFile } from 'node:fs/promises';
import { isDigest } from '../types/digest.js';
import { ConfigError } from '../types/errors.js';

/** One (source repository, tag): the source digest first mirrored, and when. */
export interface LockEntry { digest: string; recordedAt: string }

/** The whole record. */
export interface LockFile { version: 1; images: Record<string, Record<string, LockEntry>> }

/** Reads the record; a missing file is an empty record; a malformed one is a ConfigError naming the file. */
export async function readLock(path: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, images: {} };
    throw new ConfigError(path, 1, 1, `cannot read the digest record: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(path, 1, 1, 'the digest record is not JSON; restore it from version control or delete it to start afresh');
  }
  if (!isLock(data)) throw new ConfigError(path, 1, 1, 'not a digest record: expected {"version": 1, "images": {REPOSITORY: {TAG: {"digest", "recordedAt"}}}}');
  return data;
}

function isLock(data: unknown): data is LockFile {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as { version?: unknown; images?: unknown };
  if (d.version !== 1 || typeof d.images !== 'object' || d.images === null) return false;
  return Object.values(d.images).every((tags) => typeof tags === 'object' && tags !== null
    && Object.values(tags as object).every((e: unknown) => typeof e === 'object' && e !== null
      && isDigest(String((e as LockEntry).digest)) && typeof (e as LockEntry).recordedAt === 'string'));
}
