// verify's trust checks (SPEC "verify report"): `unsigned` when a target's image has no valid
// signature there, why sync refuses a tag a target lacks, and `source-moved` / audits against the digest record (`verify --lock`),
// which still work when the source cannot be read.
import type { KeyObject } from 'node:crypto';
import type { Descriptor } from '../types/descriptor.js';
import type { Inventory, TargetState } from '../inventory/inventory.js';
import { recorded, type LockEntry, type LockFile } from '../lock/record.js';
import type { VerifyResult, VerifyTargetResult } from '../report/model.js';
import { needsSignature } from '../trust/policy.js';
import { collectSignatures } from '../trust/fetch.js';
import { judgeSignatures } from '../trust/verdict.js';
import { inShard, type Shard } from '../config/workitems.js';
import { listedTags, tagDigestAt } from './target-tags.js';

/** Told a target and the image it holds; says why it is unsigned there, or undefined when a valid signature is there. */
export type UnsignedCheck = (t: TargetState, subject: Descriptor) => Promise<string | undefined>;

/** The image's check, or undefined when it asks for no signatures or `tag` predates them. */
export function unsignedCheck(inv: Inventory, tag: string, keys: KeyObject[] | undefined, signal?: AbortSignal): UnsignedCheck | undefined {
  const policy = inv.work.item.signatures;
  if (!policy || !keys || !needsSignature(tag, policy)) return undefined;
  return async (t, subject) => {
    const verdict = judgeSignatures(await collectSignatures(t.repo, listedTags(t), subject, signal), keys, policy.algorithm, subject.digest);
    return verdict.ok ? undefined : `no valid signature at the target: ${verdict.detail}`;
  };
}

/**
 * Why sync would refuse `tag` (its source digest carries no valid signature), asked once however
 * many targets lack it; undefined when the image asks for no signatures or `tag` predates them.
 */
export function sourceRefusal(inv: Inventory, tag: string, keys: KeyObject[] | undefined, subject: Descriptor, signal?: AbortSignal): (() => Promise<string | undefined>) | undefined {
  const policy = inv.work.item.signatures;
  if (!policy || !keys || !needsSignature(tag, policy)) return undefined;
  let asked: Promise<string | undefined> | undefined;
  return () =>
    // verify --tag, the source's listing still out: its signature tags are asked for (no tag set given).
    (asked ??= collectSignatures(inv.source, inv.sourceTags, subject, signal).then((found) => {
      const verdict = judgeSignatures(found, keys, policy.algorithm, subject.digest);
      return verdict.ok ? undefined : verdict.detail;
    }, () => undefined)); // unread: the row says what it said before, and sync will say why
}

/** Rows for a source tag that left its recorded digest (`now` null: the source lost the tag): every target is `source-moved`, with what it holds. */
export async function movedRows(inv: Inventory, tag: string, entry: LockEntry, now: string | null, signal?: AbortSignal): Promise<VerifyTargetResult[]> {
  return Promise.all(
    inv.targets.map(async (t) => {
      const have = await targetDigest(t, tag, signal).catch((err: unknown) => err as Error);
      if (have instanceof Error) return { repository: t.target.display, status: 'error' as const, digest: null, detail: have.message };
      const holds = have === null ? 'target lacks the tag' : have === entry.digest ? 'target holds the recorded digest' : `target has ${have}`;
      const source = now === null ? 'the source no longer has the tag' : `source now ${now}`;
      return { repository: t.target.display, status: 'source-moved' as const, digest: have, detail: `source tag moved: recorded ${entry.digest}, ${source}; ${holds}` };
    }),
  );
}

/** With the source unreadable: every recorded tag (within --tag and --shard when given) audited at every target against the record. */
export async function lockAudit(inv: Inventory, lock: LockFile, only: { tags?: string[]; shard?: Shard }, signal?: AbortSignal): Promise<VerifyResult[]> {
  const source = inv.work.item.sourceText;
  return Promise.all(
    recordedIn(inv, lock, only).map(async (tag) => {
      const entry = recorded(lock, source, tag)!;
      const targets = await Promise.all(inv.targets.map((t) => againstRecord(t, tag, entry, signal)));
      return { source: inv.work.sourceDisplay, tag, sourceDigest: null, targets };
    }),
  );
}

/** Recorded tags the (readable) source no longer has, within --tag and --shard: `source-moved` rows. */
export async function lostAtSource(inv: Inventory, lock: LockFile, only: { tags?: string[]; shard?: Shard }, signal?: AbortSignal): Promise<VerifyResult[]> {
  const source = inv.work.item.sourceText;
  const lost = recordedIn(inv, lock, only).filter((tag) => !inv.sourceTags?.has(tag));
  return Promise.all(lost.map(async (tag) => ({ source: inv.work.sourceDisplay, tag, sourceDigest: null, targets: await movedRows(inv, tag, recorded(lock, source, tag)!, null, signal) })));
}

/** The record's tags for this image, within --tag and --shard, sorted. */
export function recordedIn(inv: Inventory, lock: LockFile, only: { tags?: string[]; shard?: Shard }): string[] {
  const { tags, shard } = only;
  const all = Object.keys(lock.images[inv.work.item.sourceText] ?? {});
  return all.filter((tag) => (!tags?.length || tags.includes(tag)) && (!shard || inShard(inv.work.sourceDisplay, tag, shard))).sort();
}

async function againstRecord(t: TargetState, tag: string, entry: LockEntry, signal?: AbortSignal): Promise<VerifyTargetResult> {
  const repository = t.target.display;
  if (t.error) return { repository, status: 'error', digest: null, detail: `cannot list tags: ${t.error.message}` };
  try {
    const have = await targetDigest(t, tag, signal);
    if (have === null) return { repository, status: 'missing', digest: null, detail: 'tag absent at the target (source unreadable: checked against the lock)' };
    if (have !== entry.digest) return { repository, status: 'mismatch', digest: have, detail: `target has ${have}, the lock records ${entry.digest} (source unreadable)` };
    return { repository, status: 'in-sync', digest: have, detail: 'source unreadable: matches the lock' };
  } catch (err) {
    return { repository, status: 'error', digest: null, detail: err instanceof Error ? err.message : String(err) };
  }
}

async function targetDigest(t: TargetState, tag: string, signal?: AbortSignal): Promise<string | null> {
  return t.tags?.has(tag) ? tagDigestAt(t, tag, signal) : null;
}
