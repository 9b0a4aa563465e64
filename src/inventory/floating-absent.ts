// `--tag` names tags for a whole run, whose images need not all carry them: a release workflow asks
// for `--tag v1.15.0 --tag v1.15 --tag latest` over every item, and its Helm chart has no `latest`.
// Such a floating tag (not a full semver version) absent at one source but present at another is
// that image's no-op, said as a warning, not its failure. A release tag absent anywhere still
// fails there (a release missing one image is what the run must not hide), as does a tag found at
// no source of the run (most likely a typo).
import { isReleaseTag } from '../config/tags.js';
import type { Inventory } from './inventory.js';

/** Takes out of each inventory's `absent` the floating tags another source of the run has; says each once. */
export function settleFloatingAbsent(inventories: Inventory[], onWarning?: (message: string) => void): void {
  const found = new Set(inventories.flatMap((inv) => [...(inv.sourceTags ?? inv.probedTags ?? [])]));
  for (const inv of inventories) {
    const elsewhere = inv.absent.filter((tag) => !isReleaseTag(tag) && found.has(tag));
    if (elsewhere.length === 0) continue;
    inv.absent = inv.absent.filter((tag) => !elsewhere.includes(tag));
    for (const tag of elsewhere) onWarning?.(`${inv.work.sourceDisplay}: --tag ${tag} is not at this source (other images of the run have it): nothing to do for it here`);
  }
}
