// Read-ahead of small blobs (up to SMALL_BLOB_BYTES: those an upload holds in memory anyway).
// Copying into a registry that lacks everything (a new home, a backfill), the presence check
// before each upload nearly always answers "absent", and waiting for that answer before reading
// the source costs a round trip per blob: a distant registry's copy was latency-bound on exactly
// that chain (check, then read, then upload). So where a destination repository is cold (it had
// no tags when the run started, or has answered "absent" to its last checks), the source read
// starts alongside the check. The first "present" there turns read-ahead off until a run of
// absences shows it cold again, which bounds the reads thrown away on a repository that already
// holds most layers.
import { SMALL_BLOB_BYTES, type Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import type { CopyContext } from './context.js';

/** Absent answers in a row after which a destination counts as cold again. */
export const COLD_AFTER = 16;

/**
 * Per destination repository (by name), the absent answers since the last present one. One not
 * heard from counts as cold unless `warm` said it holds content (sync: tags at the start), so a
 * new repository's first wave, where the saved round trips matter most, reads ahead.
 */
export class AbsenceStreaks {
  private readonly streaks = new Map<string, number>();

  /** `repository` held content when the run started: read only what its checks say is missing. */
  warm(repository: string): void {
    if (!this.streaks.has(repository)) this.streaks.set(repository, 0);
  }

  answer(repository: string, present: boolean): void {
    this.streaks.set(repository, present ? 0 : (this.streaks.get(repository) ?? COLD_AFTER) + 1);
  }

  cold(repository: string): boolean {
    return (this.streaks.get(repository) ?? COLD_AFTER) >= COLD_AFTER;
  }
}

/**
 * Starts `read` now when the bytes will likely be needed: a small blob, and some destination
 * that cannot mount it (`mountable`) and has been lacking everything. undefined otherwise.
 */
export function readAhead(ctx: CopyContext, desc: Descriptor, dsts: Repository[], mountable: (dst: Repository) => boolean, read: () => Promise<Uint8Array>): Promise<Uint8Array> | undefined {
  if (ctx.dryRun || desc.size > SMALL_BLOB_BYTES) return undefined;
  if (!dsts.some((dst) => !mountable(dst) && ctx.ledger.absences.cold(dst.name))) return undefined;
  const bytes = read();
  bytes.catch(() => {}); // used, or dropped when every destination turned out to hold the blob
  return bytes;
}
