// The verify use case: every selected source tag against every target, plus target tags the
// source lacks; one result row per (tag, target) with SPEC's statuses.
import pLimit from 'p-limit';
import type { ImageWork } from '../config/workitems.js';
import { selectTags } from '../config/tags.js';
import { inShard } from '../config/workitems.js';
import { discover } from '../inventory/discover.js';
import type { Inventory } from '../inventory/inventory.js';
import type { VerifyReport, VerifyResult, VerifyTargetResult } from '../report/model.js';
import { REPOSITORY_ROW, reportTimestamp, summarizeVerify } from '../report/summary.js';
import { inConfigOrder } from '../inventory/order.js';
import { orphanReferrerJobs } from '../inventory/orphans.js';
import { referrerTagSubject } from '../types/reference.js';
import { checkTarget } from './check.js';
import { SourceFacts } from './source-facts.js';
import type { RepositoryOpener } from '../content/storage.js';
import type { KeyObject } from 'node:crypto';
import type { ImageWork as Work } from '../config/workitems.js';
import { recorded, type LockFile } from '../lock/record.js';
import { imageKeys } from '../trust/keyring.js';
import { lockAudit, lostAtSource, movedRows, sourceRefusal, unsignedCheck } from './trust.js';

export interface VerifyOptions {
  stores: RepositoryOpener;
  concurrency: number;
  tags?: string[];
  shard?: { index: number; count: number };
  /** --deep: also prove every child manifest and blob is present at the target. */
  deep: boolean;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
  onResult?: (result: VerifyResult) => void;
  /** --lock: the digest record; targets are checked against it too, even when the source is unreadable. */
  lock?: LockFile;
  /** Told what discovery found, before any check (progress totals). */
  onInventories?: (inventories: Inventory[]) => void;
}

/** Audits every item; registry failures become `error` rows, never exceptions. */
export async function runVerify(work: ImageWork[], opts: VerifyOptions): Promise<VerifyReport> {
  // --tag: targets are asked for the tags alone (target-tags.ts), the source's referrer tags by HEAD
  // while its listing is out (source-referrer-tags.ts); --lock audits the record's tags against the listing, as before.
  const probe = (opts.tags?.length ?? 0) > 0 && !opts.lock;
  // A source listing still out when the audit is done (its signature tags found by HEAD) is
  // stopped then: closing the session would wait for its page in flight.
  const unneeded = new AbortController();
  const listingSignal = opts.signal ? AbortSignal.any([opts.signal, unneeded.signal]) : unneeded.signal;
  const inventories = await discover(work, opts.stores, { tags: opts.tags, shard: opts.shard, concurrency: opts.concurrency * 2, signal: listingSignal, onWarning: opts.onWarning, targetAccess: 'pull', pushIfRefused: 'audit', probeTags: probe, prefetchRoots: probe });
  opts.onInventories?.(inventories);
  const limit = pLimit(Math.max(1, opts.concurrency));
  const keys = await imageKeys(work);
  const results: VerifyResult[] = [];
  // A binaries entry's rows say so: their advice is publish, not sync (report/headline.ts).
  const binaries = new Set(work.filter((w) => w.binaries).map((w) => w.sourceDisplay));
  const add = (r: VerifyResult) => {
    if (binaries.has(r.source)) r.binaries = true;
    results.push(r);
    opts.onResult?.(r);
  };
  await Promise.all(
    inventories.map(async (inv) => {
      if (inv.sourceError && opts.lock) {
        opts.onWarning?.(`${inv.work.sourceDisplay}: cannot list tags (${inv.sourceError.message}); targets audited against the lock only`);
        for (const r of await lockAudit(inv, opts.lock, { tags: opts.tags, shard: opts.shard }, opts.signal)) add(r);
        return;
      }
      if (inv.sourceError) return add(unreadableSource(inv));
      // --lock: a recorded tag the source lost is a move too, reported instead of `extra` or "source has no tag".
      const lost = opts.lock ? await lostAtSource(inv, opts.lock, { tags: opts.tags, shard: opts.shard }, opts.signal) : [];
      const lostTags = new Set(lost.map((r) => r.tag));
      const facts = new SourceFacts(inv, opts.signal);
      const checked = await Promise.all(inv.selected.map((tag) => limit(() => verifyTag(inv, tag, facts, opts, keys)).then((r) => (add(r), r))));
      // Referrer tags without their subject travel as tags of their own (inventory/orphans.ts): checked as such.
      const orphans = await orphanReferrerJobs([inv], checked, { tags: opts.tags, shard: opts.shard, signal: opts.signal });
      await Promise.all(orphans.map(({ tag }) => limit(() => verifyTag(inv, tag, facts, opts, keys)).then(add)));
      for (const r of lost) add(r);
      const extraRows = await extras(inv, opts, limit, lostTags);
      // A --tag tag the source lacks is an error at each target, except where that target holds it:
      // there it is `extra`, one row per (tag, target), never both.
      const isExtra = new Set(extraRows.flatMap((r) => r.targets.map((t) => `${r.tag} ${t.repository}`)));
      for (const tag of inv.absent) {
        if (lostTags.has(tag)) continue;
        const row = absentAtSource(inv, tag);
        row.targets = row.targets.filter((t) => !isExtra.has(`${tag} ${t.repository}`));
        if (row.targets.length > 0) add(row);
      }
      for (const r of extraRows) add(r);
    }),
  );
  unneeded.abort();
  const kept = opts.signal?.aborted ? withoutCutShort(results) : results;
  return { version: 1, generatedAt: reportTimestamp(), summary: summarizeVerify(kept), results: inConfigOrder(kept, work) };
}

/**
 * The rows of a run SIGINT/SIGTERM ended, without its `error` rows: a check cut short found
 * nothing wrong, and "error: aborted" would send the reader to fix what is not broken (sync leaves
 * out its copies cut short the same way: copy/cut-short.ts).
 */
function withoutCutShort(results: VerifyResult[]): VerifyResult[] {
  for (const r of results) r.targets = r.targets.filter((t) => t.status !== 'error');
  return results.filter((r) => r.targets.length > 0);
}

async function verifyTag(inv: Inventory, tag: string, facts: SourceFacts, opts: VerifyOptions, keys: Map<Work, KeyObject[]>): Promise<VerifyResult> {
  const result: VerifyResult = { source: inv.work.sourceDisplay, tag, sourceDigest: null, targets: [] };
  let root;
  try {
    root = await facts.manifest(tag);
  } catch (err) {
    result.targets = inv.targets.map((t) => ({ repository: t.target.display, status: 'error', digest: null, detail: `source: ${message(err)}` }));
    return result;
  }
  result.sourceDigest = root.descriptor.digest;
  const entry = opts.lock ? recorded(opts.lock, inv.work.item.sourceText, tag) : undefined;
  if (entry && entry.digest !== root.descriptor.digest) {
    result.targets = await movedRows(inv, tag, entry, root.descriptor.digest, opts.signal);
    return result;
  }
  const unsigned = unsignedCheck(inv, tag, keys.get(inv.work), opts.signal);
  const refusal = sourceRefusal(inv, tag, keys.get(inv.work), root.descriptor, opts.signal);
  result.targets = await Promise.all(inv.targets.map((t) => checkTarget(t, tag, root, facts, { deep: opts.deep, referrers: inv.work.item.referrers, signal: opts.signal, unsigned, refusal })));
  return result;
}

/** Target tags the source lacks, within the item's tag rules (or --tag), as `extra` rows. */
async function extras(inv: Inventory, opts: VerifyOptions, limit: ReturnType<typeof pLimit>, reported: Set<string>): Promise<VerifyResult[]> {
  const byTag = new Map<string, VerifyTargetResult[]>();
  await Promise.all(
    inv.targets.map(async (t) => {
      if (!t.tags || !inv.sourceTags) return;
      const onlyThere = [...t.tags].filter((tag) => !inv.sourceTags!.has(tag) && referrerTagSubject(tag) === undefined && !reported.has(tag));
      let chosen = opts.tags?.length ? onlyThere.filter((tag) => opts.tags!.includes(tag)) : selectTags(onlyThere, inv.work.item.tags, inv.work.item.hasTagRules);
      if (opts.shard) chosen = chosen.filter((tag) => inShard(inv.work.sourceDisplay, tag, opts.shard!));
      await Promise.all(
        chosen.map((tag) =>
          limit(async () => {
            const digest = await t.repo.resolve(tag, { signal: opts.signal }).then((d) => d.digest, () => null);
            const row: VerifyTargetResult = { repository: t.target.display, status: 'extra', digest, detail: 'tag exists at the target but not at the source' };
            byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
          }),
        ),
      );
    }),
  );
  return [...byTag].map(([tag, targets]) => ({ source: inv.work.sourceDisplay, tag, sourceDigest: null, targets }));
}

function unreadableSource(inv: Inventory): VerifyResult {
  const detail = `source: cannot list tags: ${inv.sourceError?.message}`;
  return { source: inv.work.sourceDisplay, tag: REPOSITORY_ROW, sourceDigest: null, targets: inv.targets.map((t) => ({ repository: t.target.display, status: 'error', digest: null, detail })) };
}

function absentAtSource(inv: Inventory, tag: string): VerifyResult {
  return {
    source: inv.work.sourceDisplay,
    tag,
    sourceDigest: null,
    targets: inv.targets.map((t) => ({ repository: t.target.display, status: 'error', digest: null, detail: `source has no tag ${tag}` })),
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
