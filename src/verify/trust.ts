// verify's trust checks (SPEC "verify report"): `unsigned` when a target's image has no valid
// signature there, and `source-moved` / audits against the digest record (`verify --lock`),
// which still work when the source cannot be read.
import type { KeyObject } from 'node:crypto';
import type { Descriptor } from '../types/descriptor.js';
import type { Inventory, TargetState } from '../inventory/discover.js';
import { recorded, type LockEntry, type LockFile } from '../lock/record.js';
import type { VerifyResult, VerifyTargetResult } from '../report/model.js';
import { needsSignature } from '../sync/gate.js';
import { collectSignatures } from '../trust/fetch.js';
import { judgeSignatures } from '../trust/verdict.js';
import { NotFoundError } from '../types/errors.js';
import { inShard, type Shard } from '../config/workitems.js';

/** Told a target and the image it holds; says why it is unsigned there, or undefined when a valid signature is there. */
export type UnsignedCheck = (t: TargetState, subject: Descriptor) => Promise<string | undefined>;

/** The image's check, or undefined when it asks for no signatures or `tag` predates them. */
export function unsignedCheck(inv: Inventory, tag: string, keys: KeyObject[] | undefined, signal?: AbortSignal): UnsignedCheck | undefined {
  const policy = inv.work.item.signatures;
  if (!policy || !keys || !needsSignature(tag, policy)) return undefined;
  return async (t, subject) => {
    const verdict = judgeSignatures(await collectSignatures(t.repo, t.tags, subject, signal), keys, policy.algorithm, subject.digest);
    return verdict.ok ? undefined : `no valid signature at the target: ${verdict.detail}`;
  };
}

/** Rows for a source tag that left its recorded digest: every target is `source-moved`, with what it holds. */
export async function movedRows(inv: Inventory, tag: string, entry: LockEntry, now: string, signal?: AbortSignal): Promise<VerifyTargetResult[]> {
  return Promise.all(
    inv.targets.map(async (t) => {
      const have = await targetDigest(t, tag, signal);
      const holds = have === null ? 'target lacks the tag' : have === entry.digest ? 'target holds the recorded digest' : `target has ${have}`;
      return { repository: t.target.display, status: 'source-moved' as const, digest: have, detail: `source tag moved: recorded ${entry.digest}, source now ${now}; ${holds}` };
    }),
  );
}

/** With the source unreadable: every recorded tag (within --tag and --shard when given) audited at every target against the record. */
export async function lockAudit(inv: Inventory, lock: LockFile, only: { tags?: string[]; shard?: Shard }, signal?: AbortSignal): Promise<VerifyResult[]> {
  const source = inv.work.item.sourceText;
  const { tags, shard } = only;
  const recordedTags = Object.keys(lock.images[source] ?? {}).filter((tag) => (!tags?.length || tags.includes(tag)) && (!shard || inShard(inv.work.sourceDisplay, tag, shard)));
  return Promise.all(
    recordedTags.sort().map(async (tag) => {
      const entry = recorded(lock, source, tag)!;
      const targets = await Promise.all(inv.targets.map((t) => againstRecord(t, tag, entry, signal)));
      return { source: inv.work.sourceDisplay, tag, sourceDigest: null, targets };
    }),
  );
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
  if (!t.tags?.has(tag)) return null;
  return t.repo.resolve(tag, { signal }).then(
    (d) => d.digest,
    (err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    },
  );
}
