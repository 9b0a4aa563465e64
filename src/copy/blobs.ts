// Puts one blob at several destinations: skip what is there, mount what a sibling repository
// holds, and upload the rest from a single verified read of the source (fan-out).
import type { Readable } from 'node:stream';
import { countBytes } from '../content/count.js';
import { SMALL_BLOB_BYTES, canMount, type Repository } from '../content/storage.js';
import { readAhead } from './read-ahead.js';
import { VerifyingStream, verifyBytes } from '../types/digest.js';
import { readCapped } from '../content/read.js';
import type { Descriptor } from '../types/descriptor.js';
import { CopyError, UploadAdaptedError } from '../types/errors.js';
import { callOptions, pause, type CopyContext } from './context.js';
import { mountSource, presence, probeGates, probeMounts, type Gates, type MountSource } from './presence.js';
import { fanOut } from './fanout.js';
import type { BlobOutcome } from './ledger.js';
import type { Tally } from './tally.js';

/** Result per destination: a tally update, or why it failed. */
export type BlobResults = Map<Repository, BlobOutcome | Error>;

/** Ensures `desc` is present at every destination; never throws, failures are per destination. */
export async function copyBlob(ctx: CopyContext, desc: Descriptor, dsts: Repository[], tallies: Map<Repository, Tally>): Promise<BlobResults> {
  const results: BlobResults = new Map();
  const mine: Repository[] = [];
  const settle = new Map<Repository, (outcome: BlobOutcome | Error) => void>();
  const waits: Promise<void>[] = [];
  const firstClaims = new Map<Repository, { path: string; outcome: Promise<BlobOutcome> }>();

  for (const dst of dsts) {
    const earlier = ctx.ledger.pending(dst.name, desc.digest);
    if (earlier) {
      // Another image of this run handles (or handled) this blob here: share its outcome.
      waits.push(earlier.then(() => void results.set(dst, 'existing'), (err: Error) => void results.set(dst, err)));
      continue;
    }
    let resolveOutcome!: (o: BlobOutcome) => void;
    let rejectOutcome!: (e: Error) => void;
    const outcome = new Promise<BlobOutcome>((res, rej) => ((resolveOutcome = res), (rejectOutcome = rej)));
    outcome.catch(() => {});
    ctx.ledger.claim(dst.name, desc.digest, outcome);
    const first = canMount(dst) ? ctx.ledger.firstClaim(dst.mountScope, dst.mountPath, desc.digest, outcome) : undefined;
    if (first) firstClaims.set(dst, first);
    settle.set(dst, (o) => (o instanceof Error ? rejectOutcome(o) : resolveOutcome(o)));
    mine.push(dst);
  }

  // A claim made by this very call is served by the same fan-out read: never wait on it.
  const own = new Set(mine.map((d) => (canMount(d) ? d.mountPath : '')));
  for (const [dst, first] of firstClaims) if (own.has(first.path)) firstClaims.delete(dst);

  // Where the destinations have been lacking everything lately (a cold target), the source read
  // starts now, alongside the presence checks, instead of one round trip later.
  const sources = new Map<Repository, MountSource>(mine.map((dst) => [dst, mountSource(ctx, desc, dst, firstClaims.get(dst))]));
  const early = readAhead(ctx, desc, mine, (dst) => sources.get(dst) !== undefined, () => readVerified(ctx, desc));
  const gates = probeGates(ctx, mine, sources);
  try {
    const uploads = await checkAll(mine, (dst) => presence(ctx, desc, dst, sources.get(dst), firstClaims.get(dst)), gates, results);
    if (uploads.length > 0) {
      if (ctx.dryRun) for (const dst of uploads) results.set(dst, 'copied');
      else for (const [dst, r] of await upload(ctx, desc, uploads, early)) results.set(dst, r);
    }
    // The blob just uploaded is the mount probe; where a gate's blob was there already (a warm
    // registry), a self-mount of it is.
    const probes = mine.filter((dst) => results.get(dst) === 'copied' || (gates.opens.has(dst) && results.get(dst) === 'existing'));
    if (!ctx.dryRun) await Promise.all(probes.map((dst) => probeMounts(ctx, desc, dst)));
  } finally {
    for (const open of gates.opens.values()) open();
  }

  for (const dst of mine) {
    const r = results.get(dst) ?? new Error('blob copy ended without a result');
    if (!(r instanceof Error) && canMount(dst) && !ctx.dryRun) ctx.ledger.present(dst.mountScope, dst.mountPath, desc.digest);
    settle.get(dst)?.(r);
  }
  await Promise.all(waits);
  for (const [dst, r] of results) {
    const tally = tallies.get(dst);
    if (!tally || r instanceof Error) continue;
    tally[r] += 1;
    if (r === 'copied') tally.bytes += desc.size;
  }
  return results;
}

/** Each destination's presence check, once its gate opens: those lacking the blob are returned, the rest land in `results`. */
async function checkAll(dsts: Repository[], check: (dst: Repository) => Promise<BlobOutcome | undefined>, gates: Gates, results: BlobResults): Promise<Repository[]> {
  const lacking: Repository[] = [];
  await Promise.all(
    dsts.map(async (dst) => {
      try {
        await gates.waits.get(dst);
        const found = await check(dst);
        if (found) results.set(dst, found);
        else lacking.push(dst);
      } catch (err) {
        results.set(dst, asError(err, 'destination', dst));
      }
    }),
  );
  return lacking;
}

/**
 * Source reads again for uploads whose registry adapted its upload policy (each adaptation
 * narrows the policy, which refuses for good when nothing is left: this only bounds the loop).
 */
const MAX_ADAPTED_READS = 8;

/**
 * Uploads to every destination still lacking the blob. A small blob (SMALL_BLOB_BYTES) is read and
 * verified once and pushed as bytes, so a retry needs no new read; a larger one streams from one
 * verified source read per attempt, fanned out.
 */
async function upload(ctx: CopyContext, desc: Descriptor, dsts: Repository[], early?: Promise<Uint8Array>): Promise<BlobResults> {
  const results: BlobResults = new Map();
  const attempts = ctx.blobAttempts ?? 3;
  let bytes: Uint8Array | undefined;
  let ahead = early;
  let remaining = dsts;
  let adaptations = 0;
  for (let attempt = 1; remaining.length > 0; attempt++) {
    let failure: { sourceError?: unknown; failed: Map<Repository, unknown> };
    if (desc.size <= SMALL_BLOB_BYTES) {
      try {
        if (!bytes) {
          const read = ahead ?? readVerified(ctx, desc);
          ahead = undefined; // a failed read-ahead is read again on the next attempt
          bytes = await read;
          ctx.onBytes?.(bytes.byteLength);
        }
        failure = await pushBytes(ctx, desc, bytes, remaining, results);
      } catch (err) {
        failure = { sourceError: err, failed: new Map(remaining.map((dst) => [dst, err])) };
      }
    } else {
      failure = await pushStream(ctx, desc, remaining, results);
    }
    const { sourceError, failed } = failure;
    remaining = [...failed.keys()];
    if (remaining.length === 0) break;
    // A refusal the registry's upload policy adapted to is not a failed attempt: read and send again now.
    if ([...failed.values()].every((e) => e instanceof UploadAdaptedError) && adaptations++ < MAX_ADAPTED_READS && !ctx.signal?.aborted) {
      attempt--;
      continue;
    }
    if (attempt >= attempts || ctx.signal?.aborted) {
      for (const [dst, err] of failed) {
        results.set(dst, asError(err, sourceError !== undefined ? 'source' : 'destination', sourceError !== undefined ? ctx.src : dst));
      }
      break;
    }
    await pause(Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), ctx.signal).catch(() => {});
  }
  return results;
}

/** The whole blob from the source, proven against its digest and size. */
async function readVerified(ctx: CopyContext, desc: Descriptor): Promise<Uint8Array> {
  const bytes = await readCapped(await ctx.src.fetchBlob(desc, callOptions(ctx)), desc.size, `blob ${desc.digest}`);
  verifyBytes(bytes, desc.digest, desc.size, 'blob');
  return bytes;
}

async function pushBytes(ctx: CopyContext, desc: Descriptor, bytes: Uint8Array, dsts: Repository[], results: BlobResults) {
  const settled = await Promise.allSettled(dsts.map((dst) => dst.pushBlob(desc, bytes, callOptions(ctx))));
  return { failed: settleUploads(dsts, settled, results) };
}

/** One source read, verified as it flows (the last chunk held back until proven), fanned out. */
async function pushStream(ctx: CopyContext, desc: Descriptor, dsts: Repository[], results: BlobResults) {
  let sourceError: unknown;
  let source: Readable;
  try {
    source = await ctx.src.fetchBlob(desc, callOptions(ctx));
  } catch (err) {
    return { sourceError: err, failed: new Map(dsts.map((dst) => [dst, err])) };
  }
  const verified = source.pipe(new VerifyingStream(desc.digest, desc.size));
  source.once('error', (err) => verified.destroy(err));
  verified.once('error', (err) => (sourceError ??= err));
  const stream = ctx.onBytes ? countBytes(verified, ctx.onBytes) : verified;
  const branches = dsts.length === 1 ? [stream] : fanOut(stream, dsts.length);
  const settled = await Promise.allSettled(dsts.map((dst, i) => dst.pushBlob(desc, branches[i] as Readable, callOptions(ctx))));
  source.destroy();
  return { sourceError, failed: settleUploads(dsts, settled, results, sourceError) };
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

function asError(err: unknown, origin: 'source' | 'destination', repo: Repository): Error {
  if (err instanceof CopyError) return err;
  return new CopyError(origin, repo.name, err);
}
