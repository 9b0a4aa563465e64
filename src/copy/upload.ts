// Uploads one blob to every destination still lacking it, in attempts: a small blob is read and
// verified once and pushed as bytes; a larger one streams from one verified source read per
// attempt, fanned out. A refusal the registry's upload policy adapted to costs a re-read, not an attempt.
import type { Readable } from 'node:stream';
import { countBytes } from '../content/count.js';
import { SMALL_BLOB_BYTES, type CallOptions, type Repository } from '../content/storage.js';
import { VerifyingStream, verifyBytes } from '../types/digest.js';
import { readCapped } from '../content/read.js';
import { blobCalled, type Descriptor } from '../types/descriptor.js';
import { AuthError, CopyError, isLasting, ProxyError, RegistryResponseError, RepositoryMissingError, triedInAll, triedOut, triesInPlace, triesTold, UnreachableError, UploadAdaptedError, UploadRefusedError } from '../types/errors.js';
import { callOptions, pause, type CopyContext } from './context.js';
import { fanOut } from './fanout.js';
import type { BlobOutcome } from './ledger.js';

/** Result per destination: a tally update, or why it failed. */
export type BlobResults = Map<Repository, BlobOutcome | Error>;

/**
 * Source reads again for uploads whose registry adapted its upload policy (each adaptation
 * narrows the policy, which refuses for good when nothing is left: this only bounds the loop).
 */
const MAX_ADAPTED_READS = 8;

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
 * A source answer no new attempt changes: a redirect loop (the registry or its CDN sending the
 * read round in circles) cost 6 requests per attempt, 24 for one blob, before it failed anyway;
 * an untrusted certificate at the object store a blob is redirected to cost 5 (one per attempt).
 */
function unchangedByRetry(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof RegistryResponseError && e.errors.some((x) => x.code === 'TOO_MANY_REDIRECTS')) return true;
    // A certificate refused where the source sent the read (its object store), or a proxy's refusal.
    if (isLasting(e)) return true;
  }
  return false;
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

/**
 * Takes out of `failed` the destinations that hold the blob all the same: a proxy that gave up
 * waiting (nginx's 502/504 on a large blob's final PUT) while the registry stored it. Asked before
 * the blob is sent again, so a lost answer costs a HEAD, not the whole blob once more. A 429 is no
 * lost answer: the registry took nothing, and a HEAD would be one request more to a host that has
 * just said it gets too many.
 */
async function landedAnyway(ctx: CopyContext, desc: Descriptor, failed: Map<Repository, unknown>, results: BlobResults): Promise<void> {
  const tookNothing = (err: unknown) => err instanceof UploadAdaptedError || err instanceof AuthError || (err instanceof RegistryResponseError && err.status === 429);
  const maybe = [...failed].filter(([, err]) => !tookNothing(err) && !isLasting(err));
  await Promise.all(maybe.map(async ([dst]) => {
    if (!(await dst.exists(desc, callOptions(ctx)).catch(() => false))) return;
    failed.delete(dst);
    results.set(dst, 'copied');
  }));
}

/** The whole blob from the source, proven against its digest and size. */
export async function readVerified(ctx: CopyContext, desc: Descriptor, opts = callOptions(ctx)): Promise<Uint8Array> {
  const bytes = await readCapped(await ctx.src.fetchBlob(desc, opts), desc.size, `blob ${desc.digest}`);
  verifyBytes(bytes, desc.digest, desc.size, 'blob');
  return bytes;
}

/**
 * What a round sends again after the one before failed or was adapted to: the source's read (when
 * it failed), or each destination's upload; each counts one retry in -v's stats, not one per request
 * (types/again.ts OneRetry): an upload sent again is a POST and a PUT, and a re-read after a failed
 * upload is no retry of a read (a proxy answering every blob PUT 502, maxAttempts 3: 8 retries
 * counted for 6 PUTs, 4 of them sent again).
 */
interface Round {
  source: CallOptions;
  upload(): CallOptions;
}

function round(ctx: CopyContext, again: 'none' | 'source' | 'uploads'): Round {
  const plain = callOptions(ctx);
  const once = (): CallOptions => ({ ...plain, again: { counted: false } });
  return { source: again === 'source' ? once() : plain, upload: again === 'uploads' ? once : () => plain };
}

async function pushBytes(desc: Descriptor, bytes: Uint8Array, dsts: Repository[], results: BlobResults, sent: Round) {
  const settled = await Promise.allSettled(dsts.map((dst) => dst.pushBlob(desc, bytes, sent.upload())));
  return { failed: settleUploads(dsts, settled, results) };
}

/** One source read, verified as it flows (the last chunk held back until proven), fanned out. */
async function pushStream(ctx: CopyContext, desc: Descriptor, dsts: Repository[], results: BlobResults, sent: Round, counted: { bytes: number }) {
  let sourceError: unknown;
  let source: Readable;
  try {
    source = await ctx.src.fetchBlob(desc, sent.source);
  } catch (err) {
    return { sourceError: err, failed: new Map(dsts.map((dst) => [dst, err])) };
  }
  const verified = source.pipe(new VerifyingStream(desc.digest, desc.size));
  source.once('error', (err) => verified.destroy(err));
  verified.once('error', (err) => (sourceError ??= err));
  const stream = ctx.onBytes ? countBytes(verified, pastCounted(counted, ctx.onBytes)) : verified;
  const fan = dsts.length === 1 ? undefined : fanOut(stream, dsts.length);
  const branches: Readable[] = fan ? fan.branches : [stream];
  // An upload that fails lets its branch go: one refused before reading (ECR's NAME_UNKNOWN on
  // the POST) would otherwise fill it, hold the shared read still and starve the other uploads.
  // One its registry's upload policy adapted to starts again on a late branch while the read is
  // within its first bytes (fanout.ts), instead of reading the blob again once the others are done.
  const push = async (dst: Repository, i: number) => {
    let branch = branches[i] as Readable;
    let call = sent.upload();
    for (let joins = 0; ; joins++) {
      try {
        return await dst.pushBlob(desc, branch, call);
      } catch (err) {
        const late = err instanceof UploadAdaptedError && joins < MAX_ADAPTED_READS ? fan?.rejoin() : undefined;
        if (fan) branch.destroy();
        if (!late) throw err;
        branch = late;
        call = round(ctx, 'uploads').upload();
      }
    }
  };
  const settled = await Promise.allSettled(dsts.map(push));
  source.destroy();
  return { sourceError, failed: settleUploads(dsts, settled, results, sourceError) };
}

/** `onBytes` for one read of a blob: only the bytes past those its earlier reads counted. */
function pastCounted(counted: { bytes: number }, onBytes: (n: number) => void): (n: number) => void {
  let at = 0;
  return (n) => {
    at += n;
    if (at <= counted.bytes) return;
    onBytes(at - counted.bytes);
    counted.bytes = at;
  };
}

/** Marks each finished upload 'copied'; returns the failed ones with why (a source error wins). */
function settleUploads(dsts: Repository[], settled: PromiseSettledResult<void>[], results: BlobResults, sourceError?: unknown): Map<Repository, unknown> {
  const failed = new Map<Repository, unknown>();
  settled.forEach((s, i) => {
    const dst = dsts[i] as Repository;
    if (s.status === 'fulfilled' && sourceError === undefined) results.set(dst, 'copied');
    else failed.set(dst, sourceError ?? (s as PromiseRejectedResult).reason);
  });
  return failed;
}

/**
 * An upload whose connection kept failing, or that a proxy kept answering 5xx, names the blob, its
 * size and the attempts: a request URL alone (an upload session's) says nothing of which blob, and
 * a pattern (only the largest blobs fail) is what points at a proxy that cuts long requests.
 */
function uploadCut(desc: Descriptor, attempts: number, err: unknown): unknown {
  const transient = (e: unknown): e is Error =>
    e instanceof UnreachableError ? !isLasting(e) && !(e instanceof ProxyError) : e instanceof RegistryResponseError && (e.status >= 500 || e.status === 408 || e.status === 429);
  return transient(err) ? triedOut(err, `${blobCalled(desc)} not uploaded`, attempts) : err;
}

/** `err` as a CopyError naming the side and repository it came from. */
export function asError(err: unknown, origin: 'source' | 'destination', repo: Repository): Error {
  if (err instanceof CopyError) return err;
  return new CopyError(origin, repo.name, err);
}
