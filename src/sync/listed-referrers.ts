// Referrers the source lists through the OCI 1.1 API, each copied by digest and then named in its
// destination's fallback tag: without the API, that tag is the only way to find them there.
import type { ManifestContent, Repository } from '../content/storage.js';
import { canListReferrers } from '../content/storage.js';
import { callOptions } from '../copy/context.js';
import type { Descriptor } from '../types/descriptor.js';
import { referrerDescriptor } from '../content/fallback-index.js';
import { updateFallbackTags } from './fallback-tag.js';
import { message, record, refill, type Nested, type ReferrerJob, type ReferrerOutcome } from './referrer-job.js';

/** The referrers the source lists through the OCI 1.1 API, where it has it. */
export async function attachListed(job: ReferrerJob, node: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, nested: Nested): Promise<void> {
  const { ctx } = job;
  if (canListReferrers(ctx.src)) {
    let listed;
    try {
      listed = await ctx.src.referrers(node.descriptor, callOptions(ctx));
    } catch (err) {
      for (const dst of dsts) outcomes.get(dst)?.errors.push(`referrers of ${node.descriptor.digest}: ${message(err)}`);
      return;
    }
    // Each listed referrer travels at once; the fallback tag lists them in the source's order.
    const fresh = (listed ?? []).filter((desc) => !seen.has(desc.digest) && seen.add(desc.digest));
    const placed = await Promise.all(fresh.map((desc) => copyListed(job, desc, dsts, outcomes, nested)));
    const copied = new Map<Repository, Descriptor[]>();
    for (const [dst, listing] of placed.flat()) (copied.get(dst) ?? copied.set(dst, []).get(dst)!).push(listing);
    // Pushed by digest, they are findable at a destination without the API only through this tag.
    await updateFallbackTags(job, node.descriptor, copied, outcomes);
  }
}

/** One referrer the source listed, copied by digest: the destinations it reached, with its fallback-index entry. */
async function copyListed(job: ReferrerJob, desc: Descriptor, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, nested: Nested): Promise<[Repository, Descriptor][]> {
  let content: ManifestContent;
  try {
    content = await job.ctx.src.fetchManifest(desc.digest, callOptions(job.ctx));
  } catch (err) {
    for (const dst of dsts) outcomes.get(dst)?.errors.push(`referrer ${desc.digest}: source: ${message(err)}`);
    return [];
  }
  const results = await nested(content, job.copyTag(content, dsts, undefined, job.subjectPlaced));
  const listing = referrerDescriptor(content);
  const reached: [Repository, Descriptor][] = [];
  const found: Repository[] = [];
  for (const [dst, r] of results) {
    // Untagged, it has no tag listing to be skipped by: the graph copy's HEAD found it, and a
    // referrer found whole at a destination is present there, not copied (an idempotent re-run).
    record(outcomes.get(dst), r, desc.digest, r.tally.manifests === 0);
    if (!r.error) reached.push([dst, listing]);
    if (!r.error && r.tally.manifests === 0) found.push(dst);
  }
  // Found, its parts were taken as present (the graph copy skips below a manifest in place).
  if (job.deep) await refill(job, content, found, outcomes, `referrer ${desc.digest}`);
  return reached;
}
