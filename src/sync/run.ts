// The sync use case: for every selected (image, tag), copy what each target lacks, carry the
// referrers along, then check the target's tag. Release tags go first, floating tags after.
import pLimit from 'p-limit';
import type { CopyContext } from '../copy/context.js';
import { CopyLedger } from '../copy/ledger.js';
import { withoutCutShort } from '../copy/cut-short.js';
import type { ImageWork } from '../config/workitems.js';
import { discover } from '../inventory/discover.js';
import type { Inventory, TargetState } from '../inventory/inventory.js';
import type { SyncReport, SyncResult } from '../report/model.js';
import { syncReport } from '../report/summary.js';
import { inConfigOrder } from '../inventory/order.js';
import { unnamedTagDetail } from '../inventory/untagged.js';
import { failedTags, nothingReachable, partlyUnread, sourceFailure } from './unreached.js';
import { phases } from './order.js';
import { AbortedError } from '../types/errors.js';
import type { Engine } from '../config/model.js';
import { placeTag, readTag } from './tag.js';
import { byListing, withLateRows } from './late-targets.js';
import { STRAGGLER_AFTER_MS } from '../inventory/stragglers.js';
import { nativeCopier, skopeoCopier } from './copier.js';
import { tagGate } from './gate.js';
import { orphanReferrerJobs } from '../inventory/orphans.js';
import { mirroredEntry } from './record.js';
import { imageKeys } from '../trust/keyring.js';
import { withEntries, type LockFile, type LockUpdate } from '../lock/record.js';
import type { SkopeoEngine } from '../engines/skopeo.js';
import type { Repository } from '../content/storage.js';
import type { RepositoryRef } from '../types/reference.js';
import type { RepositoryOpener } from '../content/storage.js';

export interface SyncOptions {
  stores: RepositoryOpener;
  /** Plan only: nothing is written (`plan`, `sync --dry-run`). */
  dryRun: boolean;
  /** --force: retarget tags whose digest differs. */
  force: boolean;
  /** --deep: tags already in place get their missing child manifests and blobs copied. */
  deep?: boolean;
  /** (image, tag) copies in flight at once. */
  concurrency: number;
  tags?: string[];
  shard?: { index: number; count: number };
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
  /** Told about every finished (image, tag), for progress lines. */
  onResult?: (result: SyncResult) => void;
  /** Told about the rows failed before any copy (a source that could not be listed, a tag it lacks): lines, not progress steps. */
  onFailedEarly?: (result: SyncResult) => void;
  onBytes?: (bytes: number) => void;
  /** Told what copies worked around, for -v (CopyContext.onNote). */
  onNote?: (message: string) => void;
  /** --engine: overrides every item's engine. */
  engine?: Engine;
  /** Needed when any item (or --engine) uses skopeo; checked for availability by the caller. */
  skopeo?: SkopeoEngine;
  /** The digest record (`lock:`) as read at the start; moved tags are held, mirrored ones recorded. */
  lock?: LockFile;
  /** --accept-moved: tags whose new source digest is recorded and retargeted everywhere (as --force). */
  acceptMoved?: string[];
  /** Told what discovery found (every source's tags), before any copy: `plan --explain`, progress totals. */
  onInventories?: (inventories: Inventory[]) => void;
}

/** The report, and whether no registry could be reached at all (exit 3). */
export interface SyncOutcome {
  report: SyncReport;
  unreachable: boolean;
  /** A source or a target could not be reached or read at all (down, or credentials or token refused): a plan that could not see it is incomplete (exit 3). */
  partlyUnread: boolean;
  /** The record after this run (only when `lock` was given): what the caller writes back. */
  lock?: LockFile;
}

/** Runs sync (or plan) over the work items and returns the report; never throws for a registry failure. */
export async function runSync(work: ImageWork[], opts: SyncOptions): Promise<SyncOutcome> {
  const ledger = new CopyLedger();
  // A target repository that already had tags holds layers a new tag may share: no read-ahead there.
  // A probed one's tags are unread: taken as warm, as a release's targets are, cold again after a streak of absent blobs.
  const onListed = (t: TargetState) => void (t.tags && (t.tags.size > 0 || t.probed) && ledger.absences.warm(t.repo.name));
  // A plan waits for every listing (it copies nothing); a sync starts without a straggler's.
  const stragglerAfterMs = opts.dryRun ? undefined : STRAGGLER_AFTER_MS;
  // A sync --tag asks targets for its tags alone, and starts before the source's listing ends
  // (tag-probe.ts); a plan --tag asks the same way (it read a whole tag list to report one tag).
  const inventories = await discover(work, opts.stores, { tags: opts.tags, shard: opts.shard, concurrency: opts.concurrency * 2, signal: opts.signal, onWarning: opts.onWarning, prefetchRoots: true, targetAccess: opts.dryRun ? 'pull' : 'push', pushIfRefused: opts.dryRun ? 'plan' : undefined, stragglerAfterMs, onListed, probeTags: true });
  opts.onInventories?.(inventories);
  const keys = await imageKeys(work);
  const accept = new Set(opts.acceptMoved ?? []);
  const recordedNow: LockUpdate[] = [];
  // A listing SIGINT/SIGTERM cut short failed nothing (cut-short.ts): the re-run lists again.
  // A source found by its probes (sync --tag) whose listing failed says so in its tags' rows (tag.ts): no row of its own.
  const results: SyncResult[] = inventories.filter((inv) => inv.sourceError && !inv.sourceListed && !(inv.sourceError instanceof AbortedError)).map(sourceFailure);
  for (const inv of inventories) results.push(...failedTags(inv, inv.absent, (tag) => `source has no tag ${tag}`), ...failedTags(inv, inv.unnamed, unnamedTagDetail));
  // Said as they are found: with the report going to a file or as JSON, these would be silent.
  for (const r of results) opts.onFailedEarly?.(r);

  const jobs = inventories.flatMap((inv) => inv.selected.map((tag) => ({ inv, tag })));
  const limit = pLimit(Math.max(1, opts.concurrency));
  // Each tag's requests queue by its place in the run, so the oldest tags in flight finish first
  // and hand their place on: the tags move through a copy staggered, keeping every registry's
  // slots busy, instead of all in step (all reading, then all uploading while the source idles).
  let place = 0;
  // Each tag's whole result (its stragglers' rows come later), and each tag placed so far (orphans.ts).
  const wholes: Promise<SyncResult | undefined>[] = [];
  const placed: SyncResult[] = [];
  let previousPhase: Promise<unknown> = Promise.resolve();
  const job = ({ inv, tag }: { inv: Inventory; tag: string }, before: Promise<unknown>) => {
    const priority = place++;
    return limit(async (): Promise<{ first: SyncResult; whole: Promise<SyncResult> } | undefined> => {
      if (opts.signal?.aborted) return undefined;
      const ctx: CopyContext = { src: inv.source, ledger, signal: opts.signal, priority, dryRun: opts.dryRun, onBytes: opts.onBytes, onNote: opts.onNote };
      const gate = tagGate(inv, { lock: opts.lock, accept, keys: keys.get(inv.work), signal: opts.signal });
      const read = await readTag(inv, tag, ctx, gate);
      if ('targets' in read) return { first: read, whole: Promise.resolve(read) };
      const overwrite = opts.force || inv.work.item.overwrite || accept.has(tag);
      const copier = copierFor(inv, ctx, opts);
      const place = (targets: TargetState[]) => placeTag(inv, tag, read, targets, ctx, copier, { overwrite, withReferrers: inv.work.item.referrers, deep: opts.deep });
      const split = byListing(inv);
      const first = await place(split.ready);
      // The slot is handed on: a straggler's copies take their own once its listing is in.
      return { first, whole: split.late.length > 0 ? withLateRows(inv, first, split, before, limit, place) : Promise.resolve(first) };
    });
  };
  const finished = (inv: Inventory, whole: SyncResult): SyncResult | undefined => {
    // Its other targets' rows stay when a signal cut some of its copies short.
    const result = withoutCutShort(whole, opts.signal);
    if (!result) return undefined;
    const update = opts.lock && !opts.dryRun ? mirroredEntry(inv.work.item.sourceText, result) : undefined;
    if (update) recordedNow.push(update);
    opts.onResult?.(result);
    return result;
  };
  const run = async (phase: { inv: Inventory; tag: string }[]) => {
    const started = phase.map((j) => ({ inv: j.inv, tag: job(j, previousPhase) }));
    const whole = started.map(async ({ inv, tag }) => {
      const t = await tag;
      return t && finished(inv, await t.whole);
    });
    wholes.push(...whole);
    // A phase waits for the one before at each target: floating tags never lead a release there.
    previousPhase = Promise.all(whole);
    for (const t of await Promise.all(started.map((s) => s.tag))) if (t) placed.push(t.first);
  };
  for (const phase of phases(jobs)) await run(phase);
  // Last, once every subject that was going to travel has: referrer tags left with none (orphans.ts).
  await run(await orphanReferrerJobs(inventories, placed, { tags: opts.tags, shard: opts.shard, signal: opts.signal }));
  for (const r of await Promise.all(wholes)) if (r) results.push(r);
  // A straggler with no tag to copy there still says, once listed, whether it could be reached.
  await Promise.all(inventories.flatMap((i) => [...i.targets.map((t) => t.listed), i.sourceListed]));
  const report = syncReport(opts.dryRun ? 'plan' : 'sync', inConfigOrder(results, work));
  // Recorded at once: tag by tag, the record was copied whole per tag (quadratic in a backfill).
  const lock = opts.lock && withEntries(opts.lock, recordedNow);
  return { report, unreachable: nothingReachable(inventories), partlyUnread: partlyUnread(inventories), ...(lock ? { lock } : {}) };
}

/** The item's engine (or --engine): native graph copy, or skopeo. */
function copierFor(inv: Inventory, ctx: CopyContext, opts: SyncOptions) {
  const engine = opts.engine ?? inv.work.item.engine;
  // A plan has no skopeo to run, but plans what skopeo's copies would do (skopeoCopier).
  if (engine !== 'skopeo' || (!opts.skopeo && !opts.dryRun)) return nativeCopier(ctx);
  const refs = new Map<Repository, RepositoryRef>(inv.targets.map((t) => [t.repo, t.target.ref]));
  return skopeoCopier(ctx, opts.skopeo, inv.work.source, refs);
}

/** Whether this run needs the skopeo engine at all. */
export function needsSkopeo(work: ImageWork[], engine: Engine | undefined): boolean {
  return engine === 'skopeo' || (engine === undefined && work.some((w) => w.item.engine === 'skopeo'));
}
