// Copies a manifest graph to several destinations in the order SPEC.md "What a correct copy is"
// demands: blobs, then child manifests, then the index, then the tag — so no tag ever points at
// an image with a missing part. Manifests travel byte for byte; a destination that already
// holds a manifest skips its whole sub-tree (oras-go's CopyGraph).
import type { ManifestContent, Repository } from '../content/storage.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { CopyError } from '../types/errors.js';
import { copyBlob } from './blobs.js';
import type { CopyContext } from './context.js';
import { emptyTally, type Tally } from './tally.js';

/** Options of one graph copy; the zero value probes the root like oras-go. */
export interface GraphOptions {
  /**
   * false: do not HEAD the root first. For content unique to one subject (a signature), which is
   * almost never present untagged, the HEAD costs more than it saves; the blob checks still skip
   * whatever is there.
   */
  probeRoot?: boolean;
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
  const need = options.probeRoot === false ? dsts : await walk.lacking(root, dsts);
  await walk.copyBelow(root, need);
  const opts = { signal: ctx.signal };
  await Promise.all(
    dsts.map(async (dst) => {
      if (walk.failed(dst)) return;
      try {
        if (tag !== undefined) {
          if (!ctx.dryRun) await dst.tag(root.descriptor, root.bytes, tag, opts);
        } else if (need.includes(dst) && !ctx.dryRun) {
          await dst.pushManifest(root.descriptor, root.bytes, opts);
        }
        if (need.includes(dst)) walk.tallyOf(dst).manifests += 1;
      } catch (err) {
        walk.fail(dst, new CopyError('destination', dst.name, err));
      }
    }),
  );
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

  /** The destinations that do not hold this manifest yet. */
  async lacking(node: ManifestContent, dsts: Repository[]): Promise<Repository[]> {
    const checks = await Promise.all(
      this.live(dsts).map(async (dst) => {
        try {
          return (await dst.exists(node.descriptor, { signal: this.ctx.signal })) ? undefined : dst;
        } catch (err) {
          this.fail(dst, new CopyError('destination', dst.name, err));
          return undefined;
        }
      }),
    );
    return checks.filter((d): d is Repository => d !== undefined);
  }

  /** Everything `node` points to, present at each of `dsts` (the node itself excluded). */
  async copyBelow(node: ManifestContent, dsts: Repository[]): Promise<void> {
    if (dsts.length === 0) return;
    let parsed;
    try {
      parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return;
    }
    if (isIndexType(parsed.mediaType)) {
      await Promise.all(parsed.manifests.map((child) => this.copyChild(child.digest, dsts)));
      return;
    }
    const tallies = new Map(dsts.map((d) => [d, this.tallyOf(d)]));
    await Promise.all(
      parsed.blobs.map(async (blob) => {
        const outcome = await copyBlob(this.ctx, blob, this.live(dsts), tallies);
        for (const [dst, r] of outcome) if (r instanceof Error) this.fail(dst, r);
      }),
    );
  }

  private async copyChild(digest: string, dsts: Repository[]): Promise<void> {
    let child: ManifestContent;
    try {
      child = await this.ctx.src.fetchManifest(digest, { signal: this.ctx.signal });
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return;
    }
    // No HEAD per child: below a root the target lacks, children are new but for rare sharing,
    // and their blobs are checked one by one anyway. Re-putting a present child is harmless.
    const need = this.live(dsts);
    await this.copyBelow(child, need);
    await Promise.all(
      this.live(need).map(async (dst) => {
        try {
          if (!this.ctx.dryRun) await dst.pushManifest(child.descriptor, child.bytes, { signal: this.ctx.signal });
          this.tallyOf(dst).manifests += 1;
        } catch (err) {
          this.fail(dst, new CopyError('destination', dst.name, err));
        }
      }),
    );
  }
}
