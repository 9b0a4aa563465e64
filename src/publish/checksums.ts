// sha256sum-format checksum files (`HEX  NAME` text mode, `HEX *NAME` binary mode), as release
// tooling (goreleaser, sha256sum) writes them; every release file must be listed and match.
import { basename } from 'node:path';
import { globToRegExp } from '../config/workitems.js';
import { RegmirrorError } from '../types/errors.js';

const GNU_LINE = /^([a-fA-F0-9]{64}) [ *](.+)$/;
// BSD `shasum --tag` / `sha256 -r` style: `SHA256 (NAME) = HEX`.
const BSD_LINE = /^SHA256 \((.+)\) = ([a-fA-F0-9]{64})$/;

/** A checksums file that cannot be read as sha256sum output, or that disagrees with itself. */
export class ChecksumFileError extends RegmirrorError {
  override name = 'ChecksumFileError';
}

/** A release file whose sha256 is not what the checksums file says (or is not listed at all). */
export class ChecksumMismatchError extends RegmirrorError {
  override name = 'ChecksumMismatchError';
}

/**
 * Parses the file's text into basename → lowercase hex. Paths in names (`./dist/x.tar.gz`) are
 * reduced to their basename, since release files are matched by name, wherever they were hashed.
 */
export function parseChecksums(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '' || line.startsWith('#')) return;
    const gnu = GNU_LINE.exec(line);
    const bsd = gnu ? undefined : BSD_LINE.exec(line);
    const hex = gnu?.[1] ?? bsd?.[2];
    const name = gnu?.[2] ?? bsd?.[1];
    if (!hex || !name) throw new ChecksumFileError(`${file}:${i + 1}: not a sha256sum line (expected "HEX  NAME")`);
    const key = basename(name.replace(/\\/g, '/'));
    const previous = sums.get(key);
    if (previous !== undefined && previous !== hex.toLowerCase()) {
      throw new ChecksumFileError(`${file}:${i + 1}: ${key} is listed twice with different checksums`);
    }
    sums.set(key, hex.toLowerCase());
  });
  return sums;
}

/**
 * Throws for the first file that is missing from `sums` or whose digest differs. A file whose
 * digest is `own`, the checksums file's, is that file published with the release (goreleaser's and
 * cmctl's releases carry checksums.txt): it cannot list itself, and was refused as 'not listed'.
 */
export function checkChecksums(files: { name: string; digest: string }[], sums: Map<string, string>, file: string, own?: string): void {
  for (const f of files) {
    if (f.digest === own) continue;
    const expected = sums.get(f.name);
    if (expected === undefined) throw new ChecksumMismatchError(`${f.name}: not listed in ${file}; nothing was pushed`);
    const actual = f.digest.replace(/^sha256:/, '');
    if (actual !== expected) {
      throw new ChecksumMismatchError(`${f.name}: checksum mismatch (${file} says ${expected}, the file is ${actual}); nothing was pushed`);
    }
  }
}

/**
 * Throws for the first file the checksums file lists, and one of the entry's `files` globs would
 * match by name, that is not among the files found: a release whose build of one file failed (or
 * whose download step missed it) was published without it, exit 0. A glob is held to the listed
 * names by its last path segment (listed names are basenames); one ending in `**` names nothing.
 */
export function checkNoneMissing(found: string[], sums: Map<string, string>, globs: string[], file: string, where: { dir: string; what: string }): void {
  const have = new Set(found);
  for (const glob of globs) {
    const last = glob.split('/').pop() ?? '';
    if (last.includes('**')) continue;
    const re = globToRegExp(last);
    const missing = [...sums.keys()].find((name) => re.test(name) && !have.has(name));
    if (missing !== undefined) {
      throw new ChecksumMismatchError(`${missing}: listed in ${file} and matched by "${glob}" (${where.what} files), but not found under ${where.dir}; nothing was pushed: put it there, or narrow the glob if it is not part of this release`);
    }
  }
}
