// Which of the source's tags this run handles: the rules of mirrors.yaml, or --tag in any of a
// release's spellings, then --shard. discover (discover.ts) chooses them once the source is known.
import { missingExplicit, selectTags } from '../config/tags.js';
import { inShard } from '../config/workitems.js';
import { isValidTag } from '../types/reference.js';
import type { DiscoverOptions } from './discover-options.js';
import type { Inventory } from './inventory.js';
import { tagSpellings } from './tag-probe.js';

/** Sets `inv.selected`, `absent`, `absentExplicit` and `unnamed` from the tags the source has. */
export function choose(inv: Inventory, sourceTags: string[], opts: DiscoverOptions): void {
  const { item, sourceDisplay } = inv.work;
  let selected: string[];
  if (opts.tags && opts.tags.length > 0) {
    const present = new Set(sourceTags);
    const asked = [...new Set(opts.tags)];
    // A release is one version however it is spelled: Helm charts carry both v1.2.3 and 1.2.3, and
    // 1.2.3+build.4 as the tag 1.2.3_build.4 (tagSpelling).
    const wanted = [...new Set(asked.flatMap(tagSpellings))].filter((t) => present.has(t));
    selected = selectTags(wanted, { include: [], exclude: [], latest: 0, explicit: [] }, false);
    // Absent only when the release is in no spelling: its twin alone is that release.
    inv.absent = asked.filter((t) => !tagSpellings(t).some((s) => present.has(s)));
  } else {
    selected = selectTags(sourceTags, item.tags, item.hasTagRules);
    inv.absentExplicit = missingExplicit(sourceTags, item.tags);
    inv.unnamed = sourceTags.filter((t) => !isValidTag(t));
  }
  const mine = (tag: string) => !opts.shard || inShard(sourceDisplay, tag, opts.shard);
  inv.selected = selected.filter(mine);
  inv.unnamed = inv.unnamed.filter(mine);
  // A --tag the source lacks is an item too: the shard that would have copied it reports it, once.
  inv.absent = inv.absent.filter(mine);
}
