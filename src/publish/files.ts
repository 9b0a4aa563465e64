// Release files on disk: finding them by glob under --dir, and hashing them as a stream
// (release archives can be large; they are never read whole into memory).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { globToRegExp } from '../config/workitems.js';
import { UsageError } from '../types/errors.js';

/** One file to publish: its layer title (basename), where it is, and its digest and size. */
export interface ReleaseFile {
  name: string;
  path: string;
  digest: string;
  size: number;
}

/** sha256 and size of a file, read once as a stream. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Regular files under `dir` matching each glob (relative, `/`-separated; `*` stays in one
 * directory, `**` crosses them). A glob that matches nothing is a usage error: a release job
 * that silently publishes fewer files than configured is worse than one that stops.
 */
export async function matchGlobs(dir: string, globs: string[], what: string): Promise<string[]> {
  const deep = globs.some((g) => g.includes('/'));
  const candidates = await listFiles(dir, deep);
  const out = new Set<string>();
  for (const glob of globs) {
    const re = globToRegExp(glob.replace(/^\.\//, ''));
    const hits = candidates.filter((rel) => re.test(rel));
    if (hits.length === 0) throw new UsageError(`${what}: "${glob}" matches no file under ${dir}`);
    for (const rel of hits) out.add(join(dir, rel));
  }
  return [...out];
}

/** Relative paths of regular files (file symlinks followed; directory symlinks not, so no loops), top level only unless `deep`. */
async function listFiles(dir: string, deep: boolean, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    if (prefix === '') throw new UsageError(`--dir ${dir}: ${unreadableDir(err as NodeJS.ErrnoException)}`);
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const kind = e.isSymbolicLink() ? await stat(join(dir, rel)).catch(() => undefined) : e;
    if (kind?.isFile()) out.push(rel);
    else if (deep && e.isDirectory()) out.push(...(await listFiles(dir, deep, rel)));
  }
  return out;
}

/** Why --dir cannot be listed, in words (a file given for it read "Error: ENOTDIR: not a directory, scandir …"). */
function unreadableDir(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'no such directory';
  if (err.code === 'ENOTDIR') return 'a file, not a directory: give the directory that holds the release files';
  if (err.code === 'EACCES') return 'cannot be read (permission denied)';
  return err.message;
}

/** The layer title of a path: its basename, as `oras push` records a file given by name. */
export function titleOf(path: string): string {
  return basename(path);
}
