// One (image, tag) of a sync: read the source once, decide per target, copy the graph to the
// targets that need it, and carry referrers. Each tag PUT is proven by the digest the registry
// answers with (Docker-Content-Digest must equal the source's), so no read-back is needed.
import { missingRepositoryOf, type ManifestContent, type Repository } from '../content/storage.js';
import { callOptions, type CopyContext } from '../copy/context.js';
import type { TagCopier } from './copier.js';
import { addTally, emptyTally, type Tally } from '../copy/tally.js';
import type { Inventory, TargetState } from '../inventory/inventory.js';
import type { SyncAction, SyncResult, SyncTargetResult } from '../report/model.js';
import { NotFoundError } from '../types/errors.js';
import { namesSameBytes } from '../types/digest.js';
import { decide, type Decision } from './classify.js';
import { copyReferrers } from './referrers.js';
import { emptyReferrerOutcome, type ReferrerOutcome } from './referrer-job.js';
import { referrersRetargeted } from '../report/referrer-lacks.js';
import { refillGraph } from '../copy/refill.js';
import type { TagGate } from './gate.js';

interface TargetWork {
  state: TargetState;
  previous: string | null;
  decision?: Decision;
  error?: string;
  tally: Tally;
  referrers: ReferrerOutcome;
  /** --deep found parts of the tagged image missing there and copied them (its referrers' not counted). */
  refilled?: { blobs: number; manifests: number };
}

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

async function inspect(state: TargetState, tag: string, root: ManifestContent, overwrite: boolean, ctx: CopyContext): Promise<TargetWork> {
  const w: TargetWork = { state, previous: null, tally: emptyTally(), referrers: emptyReferrerOutcome(emptyTally()) };
  if (state.error) {
    w.error = state.probed ? state.error.message : `cannot list tags: ${state.error.message}`;
    return w;
  }
  try {
    // Absent from the listing taken at the start: no request needed to know it is missing.
    if (state.tags?.has(tag)) {
      w.previous = state.probed?.get(tag) ?? (await state.repo.resolve(tag, callOptions(ctx))).digest;
      // A tagged manifest is whole: another tag of the run with this digest needs only its tag PUT.
      ctx.ledger.manifestPresent(state.repo.name, w.previous);
    }
  } catch (err) {
    if (!(err instanceof NotFoundError)) {
      w.error = message(err);
      return w;
    }
  }
  // The same bytes under another algorithm's name (a sha512 manifest at a registry) are in place.
  const digest = root.descriptor.digest;
  const decision = decide(digest, w.previous !== null && namesSameBytes(root.bytes, digest, w.previous) ? digest : w.previous, overwrite);
  // A registry that said the repository does not exist and creates none on push (ECR, as its listing
  // said): a plan, which writes nothing, said `copy` where its sync fails; both fail it now, saying so.
  const missing = decision === 'copy' || decision === 'forced' ? missingRepositoryOf(state.repo) : undefined;
  if (missing) w.error = missing.message;
  else w.decision = decision;
  return w;
}

function finish(w: TargetWork, digest: string, dryRun: boolean): SyncTargetResult {
  addTally(w.tally, w.referrers.tally);
  const refs = w.referrers;
  const problems = [...refs.conflicts.map((c) => `referrer conflict: ${c}`), ...refs.errors.map((e) => `referrer: ${e}`)];
  // Where the image itself failed, its referrers were held back for that reason: say it once.
  if (w.error) return row(w.state, 'failed', w.previous, null, w.tally, refs.copied, w.error);
  // The image itself is in place (its referrers wait for that): the row names the digest tagged there.
  if (refs.errors.length > 0) return row(w.state, 'failed', w.previous, dryRun ? null : digest, w.tally, refs.copied, problems.join('; '));
  // A tag in place that got something: referrers copied, or (--deep) missing parts refilled.
  const toppedUp = refs.copied > 0 || w.refilled !== undefined || refs.refilled > 0;
  const action: SyncAction = ((): SyncAction => {
    switch (w.decision) {
      case 'skip':
        return toppedUp && !dryRun ? 'copied' : refs.copied > 0 ? 'copy' : 'skip';
      case 'conflict':
        return 'conflict';
      case 'forced':
        return dryRun ? 'copy' : 'forced';
      default:
        return dryRun ? 'copy' : 'copied';
    }
  })();
  const conflictDetail =
    action === 'conflict'
      ? `target tag points at ${w.previous}; source has ${digest} (use --force to retarget)`
      : w.decision === 'skip' && toppedUp
        ? inPlaceDetail(w, dryRun)
        : '';
  const after = action === 'conflict' ? w.previous : dryRun ? null : digest;
  const detail = [conflictDetail, ...problems].filter(Boolean).join('; ');
  return row(w.state, refs.conflicts.length > 0 && action !== 'conflict' ? 'conflict' : action, w.previous, after, w.tally, refs.copied, detail);
}

/** What a tag already in place got: its missing parts (--deep), its referrers. */
function inPlaceDetail(w: TargetWork, dryRun: boolean): string {
  const { copied, retargeted, refilled } = w.referrers;
  const parts = w.refilled ? [`its missing parts copied (${w.refilled.blobs} blob(s), ${w.refilled.manifests} manifest(s))`] : [];
  if (copied > retargeted) parts.push(`${copied - retargeted} signature/attestation/SBOM manifest(s) ${dryRun ? 'to copy' : 'copied'}`);
  if (retargeted > 0) parts.push(referrersRetargeted(retargeted, dryRun));
  if (refilled > 0) parts.push(`${refilled} signature/attestation/SBOM manifest(s) had missing parts copied`);
  return `tag already in place; ${parts.join('; ')}`;
}

/** The same row at every target, nothing done there: a tag the source could not give or a gate held, a source unlisted, a tag the run cannot copy. */
export function untouchedRows(targets: TargetState[], action: SyncAction, detail: string): SyncTargetResult[] {
  return targets.map((t) => row(t, action, null, null, emptyTally(), 0, detail));
}

function row(state: TargetState, action: SyncAction, previous: string | null, digest: string | null, tally: Tally, referrers: number, detail: string): SyncTargetResult {
  return {
    repository: state.target.display,
    action,
    previousDigest: previous,
    digest,
    blobs: { copied: tally.copied, mounted: tally.mounted, existing: tally.existing, ...(tally.foreign ? { foreign: tally.foreign } : {}) },
    bytes: tally.bytes,
    ...(tally.engine ? { engine: tally.engine } : {}),
    referrers,
    detail,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
