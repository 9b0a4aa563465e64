// Signatures, attestations and SBOMs travel with the image they belong to (SPEC "Referrers"):
// cosign's sha256-HEX.sig/.att/.sbom tags, the OCI 1.1 fallback tag sha256-HEX, and referrers
// the source lists through the OCI 1.1 API.
import type { ManifestContent, Repository } from '../content/storage.js';
import { canListReferrers } from '../content/storage.js';
import type { TagCopier } from './copier.js';
import type { GraphResults } from '../copy/graph.js';
import { refillGraph } from '../copy/refill.js';
import { callOptions, type CopyContext } from '../copy/context.js';
import { NotFoundError } from '../types/errors.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { referrerTagsOf } from '../inventory/discover.js';
import { addTally, type Tally } from '../copy/tally.js';
import { decide } from './classify.js';
import type { Descriptor } from '../types/descriptor.js';
import { referrerDescriptor } from '../content/fallback-index.js';
import { updateFallbackTags } from './fallback-tag.js';
import { shareReferrers } from './shared-referrers.js';

/** Per destination: referrer tags copied (or to copy), conflicts left alone, and failures. */
export interface ReferrerOutcome {
  copied: number;
  /** Of those copied, referrer tags that held another digest there (--force or overwrite): a plain sync holds them as conflicts. */
  retargeted: number;
  present: number;
  /** --deep: referrers in place whose missing blobs or child manifests were copied. */
  refilled: number;
  conflicts: string[];
  errors: string[];
  tally: Tally;
}

export interface ReferrerJob {
  ctx: CopyContext;
  copyTag: TagCopier;
  sourceTags: Set<string>;
  /** Tag lists of the destinations, read at the start of the run; undefined where not listed (its tags are asked for). */
  targetTags: Map<Repository, Set<string> | undefined>;
  overwrite: boolean;
  /** Resolves once the subject image is in place at a destination (rejects if it failed there). */
  subjectPlaced?: (dst: Repository) => Promise<void>;
  /** The tag whose referrers these are: named to the later tags of the run that share its digest. */
  tag?: string;
  /** sync --deep: a referrer in place has its blobs and child manifests checked, and the missing copied. */
  deep?: boolean;
}

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
  // The source's listing is asked alongside the tags' copies, not after them: at the end of a
  // tag's chain it would cost a round trip of its own.
  await Promise.all([...tags.map((tag) => copyReferrerTag(job, tag, dsts, outcomes, seen, depth)), attachListed(job, node, dsts, outcomes, seen, depth)]);
}

/** The referrers the source lists through the OCI 1.1 API, where it has it. */
async function attachListed(job: Walk, node: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number): Promise<void> {
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
    const placed = await Promise.all(fresh.map((desc) => copyListed(job, desc, dsts, outcomes, seen, depth)));
    const copied = new Map<Repository, Descriptor[]>();
    for (const [dst, listing] of placed.flat()) (copied.get(dst) ?? copied.set(dst, []).get(dst)!).push(listing);
    // Pushed by digest, they are findable at a destination without the API only through this tag.
    await updateFallbackTags(job, node.descriptor, copied, outcomes);
  }
}

/** One referrer the source listed, copied by digest: the destinations it reached, with its fallback-index entry. */
async function copyListed(job: Walk, desc: Descriptor, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number): Promise<[Repository, Descriptor][]> {
  let content: ManifestContent;
  try {
    content = await job.ctx.src.fetchManifest(desc.digest, callOptions(job.ctx));
  } catch (err) {
    for (const dst of dsts) outcomes.get(dst)?.errors.push(`referrer ${desc.digest}: source: ${message(err)}`);
    return [];
  }
  const results = await withNested(job, content, dsts, outcomes, seen, depth, job.copyTag(content, dsts, undefined, job.subjectPlaced));
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

async function copyReferrerTag(job: Walk, tag: string, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, seen: Set<string>, depth: number): Promise<void> {
  const { ctx } = job;
  // Skip early: a referrer tag every target already lists is taken as present without a request.
  // A retargeted signature can only be a conflict for sync anyway; `verify --deep` compares digests,
  // and --force (or overwrite) compares and rewrites.
  if (!job.overwrite && !job.deep && dsts.every((dst) => job.targetTags.get(dst)?.has(tag))) {
    for (const dst of dsts) outcomes.get(dst)!.present += 1;
    return;
  }
  // Where the tag lists were not read (sync --tag), each target is asked alongside the source's read: one round trip, not two.
  const asked = new Map(dsts.filter((dst) => !job.targetTags.get(dst)).map((dst) => [dst, dst.resolve(tag, callOptions(ctx)).catch(absentAsNull)]));
  for (const p of asked.values()) p.catch(() => {}); // awaited below, unless the source's read fails first
  let content: ManifestContent;
  try {
    content = await ctx.src.fetchManifest(tag, callOptions(ctx));
  } catch (err) {
    if (err instanceof NotFoundError) return; // deleted since the listing: nothing to carry
    for (const dst of dsts) outcomes.get(dst)?.errors.push(`${tag}: source: ${message(err)}`);
    return;
  }
  const toCopy: Repository[] = [];
  const retargets = new Set<Repository>();
  const inPlace: Repository[] = [];
  await Promise.all(
    dsts.map(async (dst) => {
      const out = outcomes.get(dst)!;
      try {
        // Not listed there (a probed target, sync --tag): asked, so a tag holding another digest is a conflict still.
        const listed = job.targetTags.get(dst);
        const current = !listed || listed.has(tag) ? (await (asked.get(dst) ?? dst.resolve(tag, callOptions(ctx)).catch(absentAsNull)))?.digest ?? null : null;
        const decision = decide(content.descriptor.digest, current, job.overwrite);
        if (decision === 'skip') {
          out.present += 1;
          inPlace.push(dst);
        }
        else if (decision === 'conflict') out.conflicts.push(`${tag} points at ${current}, source has ${content.descriptor.digest} (use --force to retarget)`);
        else {
          toCopy.push(dst);
          if (decision === 'forced') retargets.add(dst);
        }
      } catch (err) {
        out.errors.push(`${tag}: ${message(err)}`);
      }
    }),
  );
  const [results] = await Promise.all([
    withNested(job, content, dsts, outcomes, seen, depth, job.copyTag(content, toCopy, tag, job.subjectPlaced)),
    job.deep ? refill(job, content, inPlace, outcomes, tag) : undefined,
  ]);
  for (const [dst, r] of results) {
    record(outcomes.get(dst), r, tag);
    // Said apart from a copy: a plan's advice must keep the --force it was made with (report/headline.ts).
    if (!r.error && retargets.has(dst)) outcomes.get(dst)!.retargeted += 1;
  }
}

/**
 * sync --deep: copies what a referrer in place at `dsts` lacks below it (refillGraph: each
 * referrer walked once per destination in a run), never writing the referrer or its tag again.
 */
async function refill(job: Walk, content: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, what: string): Promise<void> {
  if (dsts.length === 0) return;
  for (const [dst, r] of await refillGraph(job.ctx, content, dsts)) {
    const out = outcomes.get(dst);
    if (!out) continue;
    addTally(out.tally, r.tally);
    if (r.error) out.errors.push(naming(what, r.error));
    else if (r.tally.copied + r.tally.mounted + r.tally.manifests > 0) out.refilled += 1;
  }
}

/** Counts one referrer's copy at a destination: failed, `found` there already, or copied. */
function record(out: ReferrerOutcome | undefined, r: { tally: Tally; error?: Error }, what: string, found = false): void {
  if (!out) return;
  addTally(out.tally, r.tally);
  if (r.error) out.errors.push(naming(what, r.error));
  else if (found) out.present += 1;
  else out.copied += 1;
}

// `what` (a referrer's digest or tag) before the error, unless the error names it already (a
// manifest the copy could not read is named by digest: graph-walk.ts copyBelow).
function naming(what: string, err: Error): string {
  return err.message.includes(`${what}: `) ? err.message : `${what}: ${err.message}`;
}

function absentAsNull(err: unknown): null {
  if (err instanceof NotFoundError) return null;
  throw err;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A fresh, empty outcome. */
export function emptyReferrerOutcome(tally: Tally): ReferrerOutcome {
  return { copied: 0, retargeted: 0, present: 0, refilled: 0, conflicts: [], errors: [], tally };
}
