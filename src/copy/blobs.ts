// Puts one blob at several destinations: skip what is there, mount what a sibling repository
// holds, and upload the rest from a single verified read of the source (fan-out).
import { canMount, canSize, type Repository } from '../content/storage.js';
import { misstatedSize } from '../content/misstated-size.js';
import { readAhead } from './read-ahead.js';
import type { Descriptor } from '../types/descriptor.js';
import type { CopyContext } from './context.js';
import { mountSource, presence, probeGates, probeMounts, writeDespiteCheck, type Gates, type MountSource } from './presence.js';
import type { BlobOutcome } from './ledger.js';
import type { Tally } from './tally.js';
import { uploadAll } from './upload.js';
import { asError } from './upload-failures.js';
import { readVerified, type BlobResults } from './upload-push.js';

export type { BlobResults } from './upload-push.js';

/** Ensures `desc` is present at every destination; never throws, failures are per destination. */
export async function copyBlob(ctx: CopyContext, desc: Descriptor, dsts: Repository[], tallies: Map<Repository, Tally>): Promise<BlobResults> {
  const results: BlobResults = new Map();
  // Fails as reading the blob would, also where every destination holds it already (a warm
  // target, or another tag describing it rightly), which would take the manifest unchecked.
  const misstated = canSize(ctx.src) ? await misstatedSize(ctx.src, desc).catch((err: unknown) => asError(err, 'source', ctx.src)) : undefined;
  if (misstated) {
    for (const dst of dsts) results.set(dst, asError(misstated, 'source', ctx.src));
    return results;
  }
  const mine: Repository[] = [];
  const settle = new Map<Repository, (outcome: BlobOutcome | Error) => void>();
  const waits: Promise<void>[] = [];
  const firstClaims = new Map<Repository, { path: string; outcome: Promise<BlobOutcome> }>();

  for (const dst of dsts) {
    const earlier = ctx.ledger.pending(dst.name, desc);
    if (earlier) {
      // Another image of this run handles (or handled) this blob here: share its outcome.
      waits.push(earlier.then(() => void results.set(dst, 'existing'), (err: Error) => void results.set(dst, err)));
      continue;
    }
    let resolveOutcome!: (o: BlobOutcome) => void;
    let rejectOutcome!: (e: Error) => void;
    const outcome = new Promise<BlobOutcome>((res, rej) => ((resolveOutcome = res), (rejectOutcome = rej)));
    outcome.catch(() => {});
    ctx.ledger.claim(dst.name, desc, outcome);
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
      else for (const [dst, r] of await uploadAll(ctx, desc, uploads, early)) results.set(dst, r);
    }
    // The blob just uploaded is the mount probe; where a gate's blob was there already (a warm
    // registry), a self-mount of it is.
    const probes = mine.filter((dst) => results.get(dst) === 'copied' || (gates.opens.has(dst) && results.get(dst) === 'existing'));
    if (!ctx.dryRun && probes.length > 0) await Promise.all(probes.map((dst) => probeMounts(ctx, desc, dst)));
  } finally {
    for (const open of gates.opens.values()) open();
  }

  for (const dst of mine) {
    const r = results.get(dst) ?? new Error('blob copy ended without a result');
    if (!(r instanceof Error) && canMount(dst) && !ctx.dryRun) ctx.ledger.present(dst.mountScope, dst.mountPath, desc.digest);
    settle.get(dst)?.(r);
  }
  if (waits.length > 0) await Promise.all(waits);
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
        // Most destinations have no gate: no await (a promise and a turn) for nothing.
        const gate = gates.waits.get(dst);
        if (gate) await gate;
        const found = await check(dst);
        if (found) results.set(dst, found);
        else lacking.push(dst);
      } catch (err) {
        if (writeDespiteCheck(err)) lacking.push(dst);
        else results.set(dst, asError(err, 'destination', dst));
      }
    }),
  );
  return lacking;
}
