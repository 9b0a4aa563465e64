// verify --tag reads the asked tags at once (discover probeTags) but found an image's referrer tags
// (sha256-HEX.sig, .att, .sbom, the sha256-HEX fallback index) in the source's tag list: behind
// quay.io's paging a repository of 1,500 tags lists in 15 pages, one after another, and every
// target's check waited for the last. Each name such a tag can have is now also asked by HEAD, and
// the first whole answer is taken: both are exact (a HEAD's 404 is an absence as sure as the
// listing's). An index of many platforms has too many names to ask: the listing says.
import type { Inventory } from '../inventory/inventory.js';
import { probeTags } from '../inventory/tag-probe.js';
import { referrerTagsFor } from '../types/reference.js';

/** HEADs asked at most for one image: 4 names a subject, so an index of up to 7 platforms. */
export const MAX_REFERRER_PROBES = 32;

/** The source's tags among which the referrer tags of `subjects` are: its listing, or what the HEADs found first. */
export function sourceReferrerTags(inv: Inventory, subjects: string[], signal?: AbortSignal): Promise<Set<string>> {
  const listed = Promise.resolve(inv.sourceListed).then(() => {
    if (!inv.sourceTags) throw new Error(`source: cannot list tags, which its signatures, attestations and SBOMs are found by: ${inv.sourceError?.message}`);
    return inv.sourceTags;
  });
  const names = subjects.flatMap(referrerTagsFor);
  if (inv.sourceTags || !inv.sourceListed || names.length > MAX_REFERRER_PROBES) return listed;
  listed.catch(() => {}); // awaited below only when the HEADs fail
  // A HEAD that fails (not a 404) leaves the answer to the listing, and its error to say.
  return Promise.any([listed, probeTags(inv.source, names, { signal }).then((p) => p.tags)]).catch(() => listed);
}
