// The walk below one manifest graph that copyGraph (graph.ts) and refillGraph (refill.ts) share:
// per destination, what was done or the first error; blobs before the manifests that name them,
// child manifests before their index; one walk per (destination, digest) in a run (the ledger).
// What lies below a manifest is put there by graph-below.ts; each destination's books and steps
// are kept by graph-destinations.ts.
import type { ManifestContent, Repository } from '../content/storage.js';
import { GraphBelow } from './graph-below.js';

export class GraphWalk extends GraphBelow {
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

  /** Puts a child manifest and what is below it at `dsts`, `write` last. */
  protected async placeChild(child: ManifestContent, dsts: Repository[], write: (dst: Repository) => Promise<void>): Promise<void> {
    // No HEAD first: below a root the target lacks, children are new but for rare sharing, and
    // their blobs are checked one by one anyway; one whose blobs were all there is asked (place).
    await this.place(child, dsts, false, write);
  }
}
