// The referrers part of a target's check: referrer tags (cosign's .sig, .att, .sbom) and OCI 1.1
// referrers the source has for an image that the target lacks, holds differently or cannot list.
import type { TargetState } from '../inventory/inventory.js';
import { fallbackTagBytes, fallbackTagOf, lacksReferrersApi, listedDigests } from '../content/fallback-index.js';
import { referrerDiffers } from '../report/referrer-lacks.js';
import type { ManifestContent } from '../content/storage.js';
import type { SourceFacts } from './source-facts.js';
import { referrerParts } from './target-parts.js';
import { holdsTagAt, listedTags, tagDigestAt } from './target-tags.js';

/** Referrer tags (and API referrers) the source has for this image that the target lacks or holds differently. */
export async function lackingReferrers(t: TargetState, root: ManifestContent, facts: SourceFacts, deep: boolean, signal?: AbortSignal): Promise<string[]> {
  const lacking: string[] = [];
  const names = await facts.referrerTagNames(root);
  const held = await Promise.all(names.map((tag) => holdsTagAt(t, tag, signal)));
  names.forEach((tag, i) => !held[i] && lacking.push(`missing ${tag}`));
  if (deep) {
    // --deep also proves each present referrer tag holds the source's digest (two requests each),
    // and then its parts, as absentParts does the image's: a signature whose layer is gone fails
    // cosign verification at the mirror though its tag is in place.
    const tags = await facts.referrerTags(root);
    await Promise.all(
      [...tags].map(async ([tag, digest]) => {
        if (!(await holdsTagAt(t, tag, signal))) return; // said missing above
        // Only "not found" is missing; any other failure leaves the check undone (status error).
        const have = await tagDigestAt(t, tag, signal);
        if (have === null) lacking.push(`missing ${tag}`);
        else if (have !== digest) lacking.push(referrerDiffers(tag, have, digest));
        else lacking.push(...(await referrerParts(t.repo, tag, await facts.manifest(tag), facts, signal)));
      }),
    );
  }
  const apiReferrers = await facts.referrers(root.descriptor);
  // At a target without the referrers API, a referrer is findable only through the fallback tag
  // sync keeps there (unless the source has that tag itself: then it was copied, checked above).
  const tag = fallbackTagOf(root.descriptor.digest);
  const listed = apiReferrers.length > 0 && !facts.sourceHasTag(tag) && (await lacksReferrersApi(t.repo, root.descriptor, { signal })) ? await fallbackListing(t, tag, signal) : undefined;
  for (const desc of apiReferrers) {
    if (!(await t.repo.exists(desc, { signal }))) {
      lacking.push(`missing referrer ${desc.digest}`);
      continue;
    }
    if (listed && !listed.has(desc.digest)) lacking.push(`referrer ${desc.digest} not listed by the fallback tag ${tag} (the target has no referrers API)`);
    if (deep) lacking.push(...(await referrerParts(t.repo, `referrer ${desc.digest}`, await facts.manifest(desc.digest), facts, signal)));
  }
  return lacking.sort();
}

/** Digests the target's fallback tag lists (none when the tag is absent or not an index). */
async function fallbackListing(t: TargetState, tag: string, signal?: AbortSignal): Promise<Set<string>> {
  return new Set(listedDigests(await fallbackTagBytes(t.repo, tag, listedTags(t), { signal })));
}
