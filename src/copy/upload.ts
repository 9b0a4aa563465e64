// Uploads one blob to every destination still lacking it, in attempts: a small blob is read and
// verified once and pushed as bytes; a larger one streams from one verified source read per
// attempt, fanned out. A refusal the registry's upload policy adapted to costs a re-read, not an attempt.
// An attempt's read and pushes are upload-push.ts; what its failures mean, upload-failures.ts.
import { SMALL_BLOB_BYTES, type Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isLasting, RepositoryMissingError, triedInAll, triesInPlace, triesTold, UploadAdaptedError, UploadRefusedError } from '../types/errors.js';
import { pause, type CopyContext } from './context.js';
import { asError, landedAnyway, unchangedByRetry, uploadCut } from './upload-failures.js';
import { MAX_ADAPTED_READS, pushBytes, pushStream, readVerified, round, type BlobResults } from './upload-push.js';

/** Whole uploads of a blob where the destination does not say (memory, layouts). */
const DEFAULT_UPLOAD_ATTEMPTS = 3;

/**
 * Uploads to every destination still lacking the blob. A small blob (SMALL_BLOB_BYTES) is read and
 * verified once and pushed as bytes, so a retry needs no new read; a larger one streams from one
 * verified source read per attempt, fanned out.
 */
export async function uploadAll(ctx: CopyContext, desc: Descriptor, dsts: Repository[], early?: Promise<Uint8Array>): Promise<BlobResults> {
  const results: BlobResults = new Map();
  const attempts = ctx.blobAttempts ?? wholeAttempts(dsts);
  let bytes: Uint8Array | undefined;
  let ahead = early;
  let remaining = dsts;
  let adaptations = 0;
  let attempt = 1;
  let sent = round(ctx, 'none');
  // Requests of the source reads that failed: each read asked in place (a 502 every time, said
  // 'tried 3 times'), the line given up on says how often in all.
  let sourceTries = 0;
  // What the blob's reads so far counted to the progress: one read again (a whole PUT ghcr refused
  // over 4 MiB, an upload cut) counts only the bytes past it (a 153 MiB release file showed 273 MiB).
  const counted = { bytes: 0 };
  while (remaining.length > 0) {
    let failure: { sourceError?: unknown; failed: Map<Repository, unknown> };
    // The first attempt's upload sessions open while the source is read (a round trip sooner);
    // a later one's open in its push, where a retry is counted once per upload (Round).
    if (attempt === 1 && adaptations === 0 && !bytes) for (const dst of remaining) dst.openUpload?.(desc, sent.upload());
    if (desc.size <= SMALL_BLOB_BYTES) {
      try {
        if (!bytes) {
          const read = ahead ?? readVerified(ctx, desc, sent.source);
          ahead = undefined; // a failed read-ahead is read again on the next attempt
          bytes = await read;
          ctx.onBytes?.(bytes.byteLength);
        }
        failure = await pushBytes(desc, bytes, remaining, results, sent);
      } catch (err) {
        failure = { sourceError: err, failed: new Map(remaining.map((dst) => [dst, err])) };
      }
    } else {
      failure = await pushStream(ctx, desc, remaining, results, sent, counted);
    }
    const { sourceError, failed } = failure;
    if (sourceError !== undefined) sourceTries += triesTold(sourceError) ?? 1;
    if (sourceError === undefined) {
      // A repository the registry will not create (ECR) is missing on every attempt, an upload
      // the registry refused every way the policy knows is refused again, and a lasting failure (a
      // refused certificate, a proxy's refusal, an upload location on http://, or on another port
      // or host where nothing listens) fails the same in every new session: said now. So is a step the
      // transport already asked maxAttempts times (a session start, a chunk): another whole
      // upload would ask it as often again.
      for (const [dst, err] of failed) {
        const tries = triesInPlace(err);
        if (tries !== undefined) results.set(dst, asError(uploadCut(desc, tries, err), 'destination', dst));
        else if (err instanceof RepositoryMissingError || err instanceof UploadRefusedError || isLasting(err)) results.set(dst, asError(err, 'destination', dst));
        else continue;
        failed.delete(dst);
      }
      await landedAnyway(ctx, desc, failed, results);
    }
    remaining = [...failed.keys()];
    if (remaining.length === 0) break;
    // A refusal the registry's upload policy adapted to is not a failed attempt: read and send again now.
    if ([...failed.values()].every((e) => e instanceof UploadAdaptedError) && adaptations++ < MAX_ADAPTED_READS && !ctx.signal?.aborted) {
      sent = round(ctx, 'uploads');
      continue;
    }
    if (attempt >= attempts || ctx.signal?.aborted || (sourceError !== undefined && unchangedByRetry(sourceError))) {
      for (const [dst, err] of failed) {
        results.set(dst, sourceError !== undefined ? asError(triedInAll(err, sourceTries), 'source', ctx.src) : asError(uploadCut(desc, attempt, err), 'destination', dst));
      }
      break;
    }
    await pause(Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), ctx.signal).catch(() => {});
    attempt++;
    sent = round(ctx, sourceError !== undefined ? 'source' : 'uploads');
  }
  return results;
}

/**
 * Whole uploads of a blob before giving up: the most patient destination's maxAttempts. The PUT
 * that carries the bytes is never replayed in place (a cut one may have left bytes in its
 * session), so a connection that keeps cutting uploads costs whole attempts, small blobs too;
 * these are the only ones (a destination's pushBlob is one whole upload), so 'tried N times' is N.
 */
function wholeAttempts(dsts: Repository[]): number {
  return Math.max(...dsts.map((dst) => dst.uploadAttempts ?? DEFAULT_UPLOAD_ATTEMPTS));
}
