// The walk below one manifest graph that copyGraph (graph.ts) and refillGraph (refill.ts) share:
// per destination, what was done or the first error; blobs before the manifests that name them,
// child manifests before their index; one walk per (destination, digest) in a run (the ledger).
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseNamedManifest } from '../types/mediatype.js';
import { CopyError } from '../types/errors.js';
import { leftAtUrls, splitForeign } from '../types/foreign.js';
import { copyBlob } from './blobs.js';
import { callOptions, writeOptions, type CopyContext } from './context.js';
import type { Tally } from './tally.js';
import { writeHealing } from './unknown-blobs.js';
import { writeDespiteCheck } from './presence.js';

/** Per destination: what was done, or the first error that stopped it. */
export type GraphResults = Map<Repository, { tally: Tally; error?: Error }>;

export class GraphWalk {
  constructor(
    protected readonly ctx: CopyContext,
    protected readonly results: GraphResults,
    /** Awaited at a destination before a child manifest is written there (copyGraph's gate). */
    private readonly beforeChildWrite?: (dst: Repository) => Promise<void>,
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

  protected live(dsts: Repository[]): Repository[] {
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
    // A gated walk (a referrer's) holds no claim while it waits for its subject: the subject's own
    // walk may need this very manifest (regclient's testrepo: v1 lists d9104343…, which also refers
    // to v1's child 7e87ffc9…), and the two waited on each other, the run ending silently (exit 13).
    // What lies below still travels alongside the subject; the claim is taken once the gate opens.
    const gate = this.beforeChildWrite;
    const lackingBefore = gate ? await this.beforeClaim(node, dsts, probe, gate) : undefined;
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
      const lacking = new Set(lackingBefore ?? (await this.lacking(node, need)));
      for (const dst of need) {
        if (lacking.has(dst) || this.failed(dst)) continue;
        claims.get(dst)?.(); // found there: settled now, nothing below it to copy
        claims.delete(dst);
      }
      need = need.filter((dst) => lacking.has(dst));
    }
    // A gated walk copied what lies below before it claimed (beforeClaim), wherever it lacked the
    // manifest: walking it again would count each blob a second time, as 'existing'.
    if (!gate) {
      const untouched = await this.copyBelow(node, need);
      // Unprobed (a child) and every part already there: a rerun of a run that died between the
      // children and their index (backfill5). Asked for, as one HEAD, instead of PUT again.
      if (!probe && untouched.size > 0) {
        const lacking = new Set(await this.lacking(node, [...untouched]));
        for (const dst of untouched) {
          if (lacking.has(dst) || this.failed(dst)) continue;
          claims.get(dst)?.();
          claims.delete(dst);
        }
        need = need.filter((dst) => !untouched.has(dst) || lacking.has(dst));
      }
    }
    await this.writeAt(node, need, write);
    for (const [dst, settle] of claims) settle(this.results.get(dst)?.error);
    return new Set(need.filter((dst) => !this.failed(dst)));
  }

  // Copies what lies below `node` where it is lacking (a probe, when asked), then waits for `gate`
  // at each of those destinations (a rejection is the write's to report); returns where it lacked.
  private async beforeClaim(node: ManifestContent, dsts: Repository[], probe: boolean, gate: (dst: Repository) => Promise<void>): Promise<Repository[] | undefined> {
    const lacking = probe ? await this.lacking(node, dsts) : this.live(dsts);
    await this.copyBelow(node, lacking);
    await Promise.all(lacking.map((dst) => gate(dst).catch(() => undefined)));
    return probe ? lacking : undefined;
  }

  /** The destinations that do not hold this manifest yet. */
  protected async lacking(node: ManifestContent, dsts: Repository[]): Promise<Repository[]> {
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
  protected async placeChild(child: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    // No HEAD first: below a root the target lacks, children are new but for rare sharing, and
    // their blobs are checked one by one anyway; one whose blobs were all there is asked (place).
    await this.place(child, dsts, false, write);
  }

  /** Writes `node` at each live destination of `dsts`, its parts already there. */
  protected async writeAt(node: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
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
