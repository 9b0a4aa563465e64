// The digest record updated from what one tag's sync did (SPEC "lock").
import type { LockUpdate } from '../lock/record.js';
import type { SyncResult } from '../report/model.js';
import { reportTimestamp } from '../report/summary.js';

/**
 * What to record of the tag: its source digest, once some target holds it (copied, forced or
 * already there) and nothing held it; undefined otherwise. A run gathers these and records them
 * at once (withEntries), where a digest already recorded keeps its first date.
 */
export function mirroredEntry(source: string, result: SyncResult, now: Date = new Date()): LockUpdate | undefined {
  const digest = result.sourceDigest;
  if (!digest || result.targets.some((t) => t.action === 'refused' || t.action === 'source-moved')) return undefined;
  const placed = result.targets.some((t) => t.action === 'copied' || t.action === 'forced' || (t.action === 'skip' && t.digest === digest));
  return placed ? { source, tag: result.tag, digest, recordedAt: reportTimestamp(now) } : undefined;
}
