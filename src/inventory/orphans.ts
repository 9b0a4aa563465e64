// A referrer tag (`sha256-HEX`, `.sig`, `.att`, `.sbom`) travels with its subject (SPEC
// "Referrers"). One whose subject the source does not hold has nothing to travel with, and was
// dropped in silence: regclient's `external` test layout keeps exactly that, the fallback index
// of referrers to an image stored elsewhere. Such a tag is copied, and verified, as a tag of its own.
import { inShard } from '../config/workitems.js';
import type { Inventory } from './inventory.js';
import { NotFoundError } from '../types/errors.js';
import { referrerTagSubject } from '../types/reference.js';

/** What narrows a run: --tag and --shard, as discover took them. */
export interface OrphanScope {
  tags?: string[];
  shard?: { index: number; count: number };
  signal?: AbortSignal;
}

/**
 * The (image, tag) pairs of referrer tags whose subject no handled tag had and the source lacks,
 * for sync to copy and verify to check once every other tag is done.
 * Only where every tag travels (no tag rules, no --tag): a rule that leaves an image behind leaves
 * its signatures too. One manifest HEAD per referrer tag of a subject no tag of the run named.
 */
export async function orphanReferrerJobs(inventories: Inventory[], results: { source: string; sourceDigest: string | null }[], scope: OrphanScope): Promise<{ inv: Inventory; tag: string }[]> {
  if (scope.tags && scope.tags.length > 0) return [];
  const found = await Promise.all(inventories.map(async (inv) => {
    const { item, sourceDisplay } = inv.work;
    if (!inv.sourceTags || item.hasTagRules || !item.referrers) return [];
    const copied = new Set(results.filter((r) => r.source === sourceDisplay).map((r) => r.sourceDigest));
    const candidates = [...inv.sourceTags].filter((tag) => {
      const subject = referrerTagSubject(tag);
      return subject !== undefined && !copied.has(subject) && (!scope.shard || inShard(sourceDisplay, tag, scope.shard));
    });
    const orphaned = await Promise.all(candidates.map((tag) => lacks(inv, referrerTagSubject(tag)!, scope.signal)));
    return candidates.filter((_, i) => orphaned[i]).map((tag) => ({ inv, tag }));
  }));
  return found.flat();
}

// Only a clear "not found" makes an orphan: on any other answer the tag is left as before.
async function lacks(inv: Inventory, digest: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await inv.source.resolve(digest, { signal });
    return false;
  } catch (err) {
    return err instanceof NotFoundError;
  }
}
