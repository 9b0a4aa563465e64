// The digest record updated from what one tag's sync did (SPEC "lock").
import { withEntry, type LockFile, type LockUpdate } from '../lock/record.js';
import type { SyncResult } from '../report/model.js';
import { reportTimestamp } from '../report/summary.js';

/**
 * Records the tag's source digest once some target holds it (copied, forced or already there)
 * and nothing held it. A digest already recorded keeps its first date; an accepted move replaces it.
 */
export function recordMirrored(lock: LockFile, source: string, result: SyncResult, now: Date = new Date()): LockFile {
  const update = mirroredEntry(source, result, now);
  return update ? withEntry(lock, update.source, update.tag, update.digest, update.recordedAt) : lock;
}

/** What recordMirrored would record for the tag, if anything (a run gathers these and records them at once: withEntries). */
export function mirroredEntry(source: string, result: SyncResult, now: Date = new Date()): LockUpdate | undefined {
  const digest = result.sourceDigest;
  if (!digest || result.targets.some((t) => t.action === 'refused' || t.action === 'source-moved')) return undefined;
  const placed = result.targets.some((t) => t.action === 'copied' || t.action === 'forced' || (t.action === 'skip' && t.digest === digest));
  return placed ? { source, tag: result.tag, digest, recordedAt: reportTimestamp(now) } : undefined;
}
