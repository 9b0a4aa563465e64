// One (image, tag) of a sync: read the source once, decide per target, copy the graph to the
// targets that need it, and carry referrers. Each tag PUT is proven by the digest the registry
// answers with (Docker-Content-Digest must equal the source's), so no read-back is needed.
// What each target holds is read by tag-target.ts; the rows are written by tag-rows.ts.
import type { ManifestContent, Repository } from '../content/storage.js';
import { callOptions, type CopyContext } from '../copy/context.js';
import type { TagCopier } from './copier.js';
import { addTally } from '../copy/tally.js';
import type { Inventory, TargetState } from '../inventory/inventory.js';
import type { SyncResult } from '../report/model.js';
import { copyReferrers } from './referrers.js';
import type { ReferrerOutcome } from './referrer-job.js';
import { refillGraph } from '../copy/refill.js';
import type { TagGate } from './gate.js';
import { inspect, message, type TargetWork } from './tag-target.js';
import { finish, untouchedRows } from './tag-rows.js';

/** How one tag is synced. */
export interface TagOptions {
  /** --force, `overwrite: true` or --accept-moved: retarget a tag whose digest differs. */
  overwrite: boolean;
  withReferrers: boolean;
  /** --deep: a tag already in place has its child manifests and blobs checked, and the missing copied. */
  deep?: boolean;
}

/** The tag at the source, read once for all its targets: its root manifest and the gate's note. */
export interface TagSource {
  root: ManifestContent;
  note?: string;
}

/** Reads the tag at the source and asks the gate; a failure or a hold is the result, a row at every target. */
export async function readTag(inv: Inventory, tag: string, ctx: CopyContext, gate: TagGate | undefined): Promise<TagSource | SyncResult> {
  const result: SyncResult = { source: inv.work.sourceDisplay, tag, sourceDigest: null, targets: [] };
  let root: ManifestContent;
  try {
    root = await (inv.roots?.get(tag) ?? inv.source.fetchManifest(tag, callOptions(ctx)));
  } catch (err) {
    result.targets = untouchedRows(inv.targets, 'failed', `source: ${message(err)}`);
    return result;
  }
  result.sourceDigest = root.descriptor.digest;
  const { hold, note } = gate ? await gate(tag, root) : {};
  if (!hold) return { root, note };
  result.targets = untouchedRows(inv.targets, hold.action, hold.detail);
  return result;
}

/**
 * Syncs the tag read by readTag to `targets` (all of the image's, or some: a straggler's come
 * later); failures land in the result, never thrown.
 */
export async function placeTag(inv: Inventory, tag: string, { root, note }: TagSource, targets: TargetState[], ctx: CopyContext, copyTag: TagCopier, opts: TagOptions): Promise<SyncResult> {
  const { overwrite, withReferrers } = opts;
  const digest = root.descriptor.digest;
  const result: SyncResult = { source: inv.work.sourceDisplay, tag, sourceDigest: digest, targets: [] };
  if (targets.length === 0) return result; // every target a straggler (late-targets.ts)
  const work: TargetWork[] = await Promise.all(targets.map((state) => inspect(state, tag, root, overwrite, ctx)));
  const copying = work.filter((w) => w.decision === 'copy' || w.decision === 'forced');
  const image = copyTag(root, copying.map((w) => w.state.repo), tag);
  // --deep looks below what is in place; a dry run writes nothing, so it has nothing to refill.
  const deep = opts.deep === true && !ctx.dryRun;
  const refilling = deep ? work.filter((w) => w.decision === 'skip' && !w.error) : [];
  const refilled = refilling.length > 0 ? refillGraph(ctx, root, refilling.map((w) => w.state.repo)) : undefined;

  // Referrers travel alongside the image (their manifests and blobs at the same time, so a distant
  // registry's round trips overlap), but each is written only once its subject is in place there:
  // where the image fails, its signatures are never tagged.
  const holders = work.filter((w) => !w.error && (w.decision === 'skip' || w.decision === 'copy' || w.decision === 'forced'));
  let referrers: Promise<void> | undefined;
  // Probed (sync --tag), the source's listing was still out as the image set off: its referrer tags are found there.
  if (withReferrers && holders.length > 0) await inv.sourceListed;
  if (withReferrers && !inv.sourceTags && inv.sourceListed) for (const w of holders) w.error = `source: cannot list tags, which its signatures, attestations and SBOMs are found by: ${inv.sourceError?.message}`;
  if (withReferrers && inv.sourceTags && holders.length > 0) {
    const outcomes = new Map<Repository, ReferrerOutcome>(holders.map((w) => [w.state.repo, w.referrers]));
    // A probed target's tags are the asked ones only: its referrer tags are asked for there.
    const targetTags = new Map(holders.map((w) => [w.state.repo, w.state.probed ? undefined : w.state.tags]));
    const subjectPlaced = (dst: Repository) =>
      image.then((copied) => {
        const error = copied.get(dst)?.error;
        if (error) throw error;
      });
    referrers = copyReferrers({ ctx, copyTag, sourceTags: inv.sourceTags, targetTags, overwrite, subjectPlaced, tag, deep }, root, holders.map((w) => w.state.repo), outcomes);
  }
  const copied = await image;
  for (const w of copying) {
    const r = copied.get(w.state.repo);
    if (r) addTally(w.tally, r.tally);
    if (r?.error) w.error = r.error.message;
  }
  const filled = await refilled;
  for (const w of refilling) {
    const r = filled?.get(w.state.repo);
    if (r) addTally(w.tally, r.tally);
    if (r?.error) w.error = r.error.message;
    // Counted now: finish adds the referrers' tally, whose refilled parts are reported apart.
    const parts = { blobs: w.tally.copied + w.tally.mounted, manifests: w.tally.manifests };
    if (parts.blobs + parts.manifests > 0) w.refilled = parts;
  }
  await referrers;
  result.targets = work.map((w) => finish(w, digest, ctx.dryRun === true));
  if (note) for (const t of result.targets) if (t.action === 'copied' || t.action === 'forced' || t.action === 'copy') t.detail = [t.detail, note].filter(Boolean).join('; ');
  return result;
}
