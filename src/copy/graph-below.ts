// What lies below a manifest, put at each destination before the manifest itself: its blobs, or
// an index's child manifests (each placed by the walk, graph-walk.ts). Apart from the walk's
// claims and probes, which decide where a manifest is needed at all.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseNamedManifest } from '../types/mediatype.js';
import { CopyError } from '../types/errors.js';
import { leftAtUrls, splitForeign } from '../types/foreign.js';
import { copyBlob } from './blobs.js';
import { callOptions, writeOptions, type CopyContext } from './context.js';
import { GraphDestinations, type GraphResults } from './graph-destinations.js';

export abstract class GraphBelow extends GraphDestinations {
  constructor(
    ctx: CopyContext,
    results: GraphResults,
    /** Awaited at a destination before a child manifest is written there (copyGraph's gate). */
    protected readonly beforeChildWrite?: (dst: Repository) => Promise<void>,
  ) {
    super(ctx, results);
  }

  /**
   * Everything `node` points to, present at each of `dsts` (the node itself excluded). Returns the
   * destinations of an image manifest that held every blob already (none uploaded or mounted).
   */
  async copyBelow(node: ManifestContent, dsts: Repository[]): Promise<Set<Repository>> {
    const untouched = new Set<Repository>();
    if (dsts.length === 0) return untouched;
    let parsed;
    try {
      // Named by digest: the flaw may be in a child or a referrer, not the tag's own manifest.
      parsed = parseNamedManifest(node.bytes, node.descriptor.mediaType, node.descriptor.digest);
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return untouched;
    }
    if (isIndexType(parsed.mediaType)) {
      await Promise.all(parsed.manifests.map((child) => this.copyChild(child.digest, dsts)));
      return untouched;
    }
    for (const dst of dsts) untouched.add(dst);
    const tallies = new Map(dsts.map((d) => [d, this.tallyOf(d)]));
    // Foreign layers stay at their URLs: the source does not hold them, nor may a target. A blob
    // named twice (an empty layer in two places, an empty config also a layer) is one blob.
    const { distributable, foreign } = splitForeign(parsed.blobs);
    for (const tally of tallies.values()) tally.foreign += foreign.length;
    // Per destination, the size of the blob whose failure it reports: with every upload cut, the
    // largest's is said (publish named the 2-byte empty config, which fails first, not the release file).
    const failedAt = new Map<Repository, number>();
    await Promise.all(
      distributable.map(async (blob) => {
        const at = await this.blobsAt(blob, this.live(dsts));
        if (at.length === 0) return;
        const outcome = await copyBlob(this.ctx, blob, at, tallies);
        for (const [dst, r] of outcome) {
          if (r !== 'existing') untouched.delete(dst);
          if (!(r instanceof Error)) continue;
          if (leftAtUrls(blob, r)) this.tallyOf(dst).foreign += 1;
          else if (!this.failed(dst)) {
            this.fail(dst, r);
            failedAt.set(dst, blob.size);
          } else if ((failedAt.get(dst) ?? Infinity) < blob.size) {
            this.results.get(dst)!.error = r;
            failedAt.set(dst, blob.size);
          }
        }
      }),
    );
    for (const dst of untouched) if (this.failed(dst)) untouched.delete(dst);
    return untouched;
  }

  /** The destinations of `dsts` a blob below a manifest being placed is copied to: all of them. */
  protected blobsAt(_blob: Descriptor, dsts: Repository[]): Repository[] | Promise<Repository[]> {
    return dsts;
  }

  private async copyChild(digest: string, dsts: Repository[]): Promise<void> {
    let child: ManifestContent;
    try {
      child = await this.ctx.src.fetchManifest(digest, callOptions(this.ctx));
    } catch (err) {
      for (const dst of dsts) this.fail(dst, new CopyError('source', this.ctx.src.name, err));
      return;
    }
    const gate = this.beforeChildWrite;
    const push = (dst: Repository) => dst.pushManifest(child.descriptor, child.bytes, writeOptions(this.ctx));
    await this.placeChild(child, dsts, gate ? (dst) => gate(dst).then(() => push(dst)) : push);
  }

  /** Puts a child manifest and what is below it at `dsts`, `write` last. */
  protected abstract placeChild(child: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void>;
}
