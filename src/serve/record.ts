// The digests the gateway checks tags against: the lock (regmirror's digest record) first, then
// a saved verify report's source digests (`serve --verify-report`), else the source asked live.
import type { LockFile } from '../lock/file.js';
import type { AnyReport } from '../report/model.js';
import { isSyncReport } from '../report/model.js';

/** The source digests a verify report saw, in the lock's shape (the report's time as recordedAt). */
export function recordFromReport(report: AnyReport): LockFile {
  const out: LockFile = { version: 1, images: {} };
  if (isSyncReport(report)) return out;
  for (const r of report.results) {
    if (!r.sourceDigest) continue;
    (out.images[r.source] ??= {})[r.tag] = { digest: r.sourceDigest, recordedAt: report.generatedAt };
  }
  return out;
}

/** `first` wins wherever both name a (repository, tag). */
export function overlay(first: LockFile, second: LockFile): LockFile {
  const images: LockFile['images'] = {};
  for (const [repo, tags] of Object.entries(second.images)) images[repo] = { ...tags };
  for (const [repo, tags] of Object.entries(first.images)) images[repo] = { ...images[repo], ...tags };
  return { version: 1, images };
}

/**
 * The one tag the record names `digest` under in `source` (a release pinned by its digest, as
 * `app:v1.16.0@sha256:…` is pulled), or undefined when none or several do.
 */
export function recordedTag(record: LockFile, source: string, digest: string): string | undefined {
  const tags = Object.entries(record.images[source] ?? {}).filter(([, e]) => e.digest === digest);
  return tags.length === 1 ? tags[0]![0] : undefined;
}
