// Copies a manifest graph to several destinations in the order SPEC.md "What a correct copy is"
// demands: blobs, then child manifests, then the index, then the tag — so no tag ever points at
// an image with a missing part. Manifests travel byte for byte; a destination that already
// holds a manifest skips its whole sub-tree (oras-go's CopyGraph). Foreign layers are left at
// their URLs (types/foreign.ts).
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { CopyError } from '../types/errors.js';
import { leftAtUrls, splitForeign } from '../types/foreign.js';
import { copyBlob } from './blobs.js';
import { callOptions, writeOptions, type CopyContext } from './context.js';
import { emptyTally, type Tally } from './tally.js';
import { withManifestTurn } from './manifest-turns.js';
import { writeHealing } from './unknown-blobs.js';
import { writeDespiteCheck } from './presence.js';

/** Options of one graph copy; the zero value probes the root like oras-go. */
export interface GraphOptions {
  /**
   * false: do not HEAD the root first. For content that is almost never present where its tag is
   * missing (a new release, a signature), the HEAD costs more than it saves; the blob checks
   * still skip whatever is there.
   */
  probeRoot?: boolean;
  /**
   * Awaited at each destination just before the root is written there; a rejection fails that
   * destination instead. Lets a signature be copied alongside its image and written only once
   * the image is in place.
   */
  beforeRootWrite?: (dst: Repository) => Promise<void>;
}

/** Per destination: what was done, or the first error that stopped it. */
export type GraphResults = Map<Repository, { tally: Tally; error?: Error }>;

/**
 * Copies `root` (already fetched from ctx.src) below every destination and, when `tag` is
 * given, points the tag at it last. Never throws for one destination's failure.
 */
export async function copyGraph(ctx: CopyContext, root: ManifestContent, dsts: Repository[], tag?: string, options: GraphOptions = {}): Promise<GraphResults> {
  const results: GraphResults = new Map(dsts.map((d) => [d, { tally: emptyTally() }]));
  const walk = new GraphWalk(ctx, results);
  const opts = writeOptions(ctx);
  const put = (dst: Repository) => (tag === undefined ? dst.pushManifest(root.descriptor, root.bytes, opts) : dst.tag(root.descriptor, root.bytes, tag, opts));
  const gate = options.beforeRootWrite;
  const write = gate ? (dst: Repository) => gate(dst).then(() => put(dst)) : put;
  const placed = await walk.place(root, dsts, options.probeRoot !== false, write);
  if (tag === undefined || ctx.dryRun) return results;
  // The rest already held the root whole (found, or placed by another tag of this run): only the
  // tag is new, PUT in a turn of its own (manifest-turns.ts), never alongside a skopeo copy's.
  const digest = root.descriptor.digest;
  const tagOnly = (dst: Repository) => (gate ? gate(dst) : Promise.resolve()).then(() => withManifestTurn(ctx.ledger, dst.name, [digest], () => put(dst)));
  await Promise.all(
    dsts.filter((dst) => !placed.has(dst) && !walk.failed(dst)).map((dst) => tagOnly(dst).catch((err) => walk.fail(dst, new CopyError('destination', dst.name, err)))),
  );
  return results;
}

/**
 * Copies what `root`'s graph lacks at destinations whose tag already points at it (`sync --deep`:
 * what `verify --deep` calls incomplete). Every blob is checked and copied where absent, and a
 * child manifest a destination lacks is written once its parts are there. The root, present and
 * tagged, is not written again: ECR's immutable tags refuse even the same digest.
 */
export async function refillGraph(ctx: CopyContext, root: ManifestContent, dsts: Repository[]): Promise<GraphResults> {
  const results: GraphResults = new Map(dsts.map((d) => [d, { tally: emptyTally() }]));
  const walk = new GraphWalk(ctx, results);
  await walk.refillOnce(root, dsts, (mine) => walk.copyBelow(root, mine, true));
  return results;
}

class GraphWalk {
  constructor(
    private readonly ctx: CopyContext,
    private readonly results: GraphResults,
  ) {}

  failed(dst: Repository): boolean {
    return this.results.get(dst)?.error !== undefined;
  }

  fail(dst: Repository, error: Error): void {
    const r = this.results.get(dst);
    if (r && !r.error) r.error = error;
  }

  tallyOf(dst: Repository): Tally {
    return (this.results.get(dst) as { tally: Tally }).tally;
  }

  private live(dsts: Repository[]): Repository[] {
    return dsts.filter((d) => !this.failed(d));
  }

  /**
   * Puts `node` and everything below it at each of `dsts` that lacks it, `write` last, once per
   * (destination, digest) in a run: a manifest another copy is placing is awaited, not copied
   * again. Returns the destinations where this call placed it.
   */
  async place(node: ManifestContent, dsts: Repository[], probe: boolean, write: (dst: Repository) => Promise<void>): Promise<Set<Repository>> {
    const { ledger } = this.ctx;
    const digest = node.descriptor.digest;
    const claims = new Map<Repository, (error?: Error) => void>();
    const earlier: Promise<Repository | undefined>[] = [];
    for (const dst of this.live(dsts)) {
      const other = ledger.manifestAt(dst.name, digest);
      // Claimed synchronously, so two tags of one digest never both walk it.
      if (!other) claims.set(dst, ledger.claimManifest(dst.name, digest));
      else earlier.push(other.then(() => undefined, () => dst));
    }
    // Where the other copy failed, this one tries for itself.
    for (const dst of await Promise.all(earlier)) if (dst) claims.set(dst, ledger.claimManifest(dst.name, digest));
    let need = [...claims.keys()];
    if (probe) {
      const lacking = new Set(await this.lacking(node, need));
      for (const dst of need) {
        if (lacking.has(dst) || this.failed(dst)) continue;
        claims.get(dst)?.(); // found there: settled now, nothing below it to copy
        claims.delete(dst);
      }
      need = need.filter((dst) => lacking.has(dst));
    }
    await this.copyBelow(node, need);
    await this.writeAt(node, need, write);
    for (const [dst, settle] of claims) settle(this.results.get(dst)?.error);
    return new Set(need.filter((dst) => !this.failed(dst)));
  }

  /** The destinations that do not hold this manifest yet. */
  private async lacking(node: ManifestContent, dsts: Repository[]): Promise<Repository[]> {
    const checks = await Promise.all(
      this.live(dsts).map(async (dst) => {
        try {
          return (await dst.exists(node.descriptor, callOptions(this.ctx))) ? undefined : dst;
        } catch (err) {
          if (writeDespiteCheck(err)) return dst;
          this.fail(dst, new CopyError('destination', dst.name, err));
          return undefined;
        }
      }),
    );
    return checks.filter((d): d is Repository => d !== undefined);
  }

  /**
   * Everything `node` points to, present at each of `dsts` (the node itself excluded). `refill`:
   * the destinations hold `node`, so its present children are walked too (refillGraph).
   */
  async copyBelow(node: ManifestContent, dsts: Repository[], refill = false): Promise<void> {
    if (dsts.length === 0) return;
    let parsed;
    try {
      parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return;
    }
    if (isIndexType(parsed.mediaType)) {
      await Promise.all(parsed.manifests.map((child) => this.copyChild(child.digest, dsts, refill)));
      return;
    }
    const tallies = new Map(dsts.map((d) => [d, this.tallyOf(d)]));
    // Foreign layers stay at their URLs: the source does not hold them, nor may a target.
    const { distributable, foreign } = splitForeign(parsed.blobs);
    for (const tally of tallies.values()) tally.foreign += foreign.length;
    await Promise.all(
      distributable.map(async (blob) => {
        const at = refill ? await this.lackingBlob(blob, this.live(dsts)) : this.live(dsts);
        if (at.length === 0) return;
        const outcome = await copyBlob(this.ctx, blob, at, tallies);
        for (const [dst, r] of outcome) {
          if (!(r instanceof Error)) continue;
          if (leftAtUrls(blob, r)) this.tallyOf(dst).foreign += 1;
          else this.fail(dst, r);
        }
      }),
    );
  }

  /**
   * Below a root in place (refill), the destinations lacking `blob`, asked by HEAD as verify --deep
   * does: a mount answers 201 whether the blob was missing or not, and would count as a repair.
   * One another copy of this run handles there is left to copyBlob, which shares its outcome.
   */
  private async lackingBlob(blob: Descriptor, dsts: Repository[]): Promise<Repository[]> {
    const checks = await Promise.all(
      dsts.map(async (dst) => {
        if (this.ctx.ledger.pending(dst.name, blob)) return dst;
        try {
          if (!(await dst.exists(blob, callOptions(this.ctx)))) return dst;
          this.tallyOf(dst).existing += 1;
          return undefined;
        } catch (err) {
          if (writeDespiteCheck(err)) return dst;
          this.fail(dst, new CopyError('destination', dst.name, err));
          return undefined;
        }
      }),
    );
    return checks.filter((d): d is Repository => d !== undefined);
  }

  private async copyChild(digest: string, dsts: Repository[], refill: boolean): Promise<void> {
    let child: ManifestContent;
    try {
      child = await this.ctx.src.fetchManifest(digest, callOptions(this.ctx));
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return;
    }
    const write = (dst: Repository) => dst.pushManifest(child.descriptor, child.bytes, writeOptions(this.ctx));
    if (refill) return this.refillChild(child, dsts, write);
    // No HEAD per child: below a root the target lacks, children are new but for rare sharing,
    // and their blobs are checked one by one anyway. Re-putting a present child is harmless.
    await this.place(child, dsts, false, write);
  }

  /** A child below a present root: its parts checked wherever it is, and written where it is not. */
  private async refillChild(child: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    await this.refillOnce(child, dsts, async (mine) => {
      const lacking = await this.lacking(child, mine);
      await this.copyBelow(child, mine, true);
      await this.writeAt(child, lacking, write);
    });
  }

  /**
   * Runs `walk` below `node` at the destinations where no other tag of this run walks it (the
   * ledger's refillAt); the others share that walk's outcome, counted by the tag that made it.
   */
  async refillOnce(node: ManifestContent, dsts: Repository[], walk: (mine: Repository[]) => Promise<void>): Promise<void> {
    const settles = new Map<Repository, (error?: Error) => void>();
    const earlier: Promise<void>[] = [];
    for (const dst of this.live(dsts)) {
      const at = this.ctx.ledger.refillAt(dst.name, node.descriptor.digest);
      if ('settle' in at) settles.set(dst, at.settle);
      else earlier.push(at.earlier.then((error) => error && this.fail(dst, error)));
    }
    try {
      await walk([...settles.keys()]);
    } finally {
      for (const [dst, settle] of settles) settle(this.results.get(dst)?.error);
    }
    await Promise.all(earlier);
  }

  /** Writes `node` at each live destination of `dsts`, its parts already there. */
  private async writeAt(node: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    await Promise.all(
      this.live(dsts).map(async (dst) => {
        try {
          // A registry that said it holds a blob it has not linked here (Harbor, Quay) refuses the
          // manifest naming it: unknown-blobs.ts uploads it and writes once more.
          if (!this.ctx.dryRun) await writeHealing(this.ctx, node, dst, this.tallyOf(dst), write);
          this.tallyOf(dst).manifests += 1;
        } catch (err) {
          this.fail(dst, new CopyError('destination', dst.name, err));
        }
      }),
    );
  }
}
