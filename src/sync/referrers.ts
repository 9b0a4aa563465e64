// Signatures, attestations and SBOMs travel with the image they belong to (SPEC "Referrers"):
// cosign's sha256-HEX.sig/.att/.sbom tags, the OCI 1.1 fallback tag sha256-HEX, and referrers
// the source lists through the OCI 1.1 API.
// The walk is here; each kind of referrer is referrer-tags.ts or listed-referrers.ts, and what a
// copy is given and reports, referrer-job.ts.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { GraphResults } from '../copy/graph.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { referrerTagsOf } from '../inventory/discover.js';
import { attachListed } from './listed-referrers.js';
import type { Nested, ReferrerJob, ReferrerOutcome } from './referrer-job.js';
import { copyReferrerTag } from './referrer-tags.js';
import { shareReferrers } from './shared-referrers.js';

/** A job under way: what the earlier tags at a shared digest left to report, awaited at the end. */
interface Walk extends ReferrerJob {
  inherited: Promise<void>[];
}

const MAX_DEPTH = 3;

/** Copies everything attached to `root` (and to its child manifests) to each destination. */
export async function copyReferrers(job: ReferrerJob, root: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>): Promise<void> {
  const walk: Walk = { ...job, inherited: [] };
  await attach(walk, root, dsts, outcomes, new Set<string>(), 0);
  // By now every handling this walk waits on was started, and none of them waits on this walk.
  await Promise.all(walk.inherited);
}

/** Tags that share a digest share its referrers: handled by the first of them, reported by all (shared-referrers.ts). */
async function attach(job: Walk, node: ManifestContent, all: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number): Promise<void> {
  if (depth >= MAX_DEPTH) return;
  const share = shareReferrers(job.ctx.ledger, node.descriptor.digest, all, outcomes, job.tag ?? 'another tag');
  job.inherited.push(share.inherited);
  if (share.mine.length === 0) return;
  try {
    await handle(job, node, share.mine, share.outcomes, seen, depth);
  } finally {
    share.done();
  }
}

async function handle(job: Walk, node: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number): Promise<void> {
  const subjects = [node.descriptor.digest];
  try {
    const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    if (isIndexType(parsed.mediaType)) subjects.push(...parsed.manifests.map((m) => m.digest));
  } catch {
    // Unparseable content cannot have listed children; its own tags still travel.
  }
  const tags = subjects.flatMap((d) => referrerTagsOf(job.sourceTags, d)).filter((t) => !seen.has(t) && seen.add(t));
  // What is attached to each referrer copied here is walked one level deeper (withNested).
  const nested: Nested = (content, placing) => withNested(job, content, dsts, outcomes, seen, depth, placing);
  // The source's listing is asked alongside the tags' copies, not after them: at the end of a
  // tag's chain it would cost a round trip of its own.
  await Promise.all([...tags.map((tag) => copyReferrerTag(job, tag, dsts, outcomes, nested)), attachListed(job, node, dsts, outcomes, seen, nested)]);
}

/**
 * What is attached to a referrer travels alongside the referrer's own copy (`placing`), each
 * written at a destination only once the referrer is in place there; resolves with `placing`'s
 * results when both are done.
 */
async function withNested(job: Walk, content: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number, placing: Promise<GraphResults>): Promise<GraphResults> {
  const placedAt = async (dst: Repository) => {
    const error = (await placing).get(dst)?.error;
    if (error) throw error;
  };
  const [results] = await Promise.all([placing, attach({ ...job, subjectPlaced: placedAt }, content, dsts, outcomes, seen, depth + 1)]);
  return results;
}
