// One attempt of a blob's upload: the source read and the pushes to every destination still
// lacking it, as bytes read once (a small blob) or as one verified stream fanned out.
import type { Readable } from 'node:stream';
import { countBytes } from '../content/count.js';
import type { CallOptions, Repository } from '../content/storage.js';
import { VerifyingStream, verifyBytes } from '../types/digest.js';
import { readCapped } from '../content/read.js';
import type { Descriptor } from '../types/descriptor.js';
import { UploadAdaptedError } from '../types/errors.js';
import { callOptions, type CopyContext } from './context.js';
import { fanOut } from './fanout.js';
import type { BlobOutcome } from './ledger.js';

/** Result per destination: a tally update, or why it failed. */
export type BlobResults = Map<Repository, BlobOutcome | Error>;

/**
 * Source reads again for uploads whose registry adapted its upload policy (each adaptation
 * narrows the policy, which refuses for good when nothing is left: this only bounds the loop).
 */
export const MAX_ADAPTED_READS = 8;

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
export interface Round {
  source: CallOptions;
  upload(): CallOptions;
}

export function round(ctx: CopyContext, again: 'none' | 'source' | 'uploads'): Round {
  const plain = callOptions(ctx);
  const once = (): CallOptions => ({ ...plain, again: { counted: false } });
  return { source: again === 'source' ? once() : plain, upload: again === 'uploads' ? once : () => plain };
}

export async function pushBytes(desc: Descriptor, bytes: Uint8Array, dsts: Repository[], results: BlobResults, sent: Round) {
  const settled = await Promise.allSettled(dsts.map((dst) => dst.pushBlob(desc, bytes, sent.upload())));
  return { failed: settleUploads(dsts, settled, results) };
}

/** One source read, verified as it flows (the last chunk held back until proven), fanned out. */
export async function pushStream(ctx: CopyContext, desc: Descriptor, dsts: Repository[], results: BlobResults, sent: Round, counted: { bytes: number }) {
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
