// What may hold a tag before any byte of it is pushed (SPEC "signatures", "lock"): a source tag
// that left its recorded digest (`source-moved`), or a source digest without a valid cosign
// signature (`refused`). The decisions are pure; fetching signatures is the one I/O here.
import type { KeyObject } from 'node:crypto';
import type { ManifestContent } from '../content/storage.js';
import type { Inventory } from '../inventory/inventory.js';
import { recorded, type LockFile } from '../lock/record.js';
import type { SyncAction } from '../report/model.js';
import { collectSignatures } from '../trust/fetch.js';
import { judgeSignatures } from '../trust/verdict.js';
import { needsSignature } from '../trust/policy.js';

/** Why a tag is held: the action every target row gets, and the one-line detail. */
export interface Hold {
  action: SyncAction;
  detail: string;
}

/** A hold stops the tag; a note (who signed it, for which reference) goes into the rows of what was copied. */
export interface GateOutcome {
  hold?: Hold;
  note?: string;
}

/** Asked once per (image, tag) with the source manifest, before any target is touched. */
export type TagGate = (tag: string, root: ManifestContent) => Promise<GateOutcome>;

/** What the gate needs: the record read at the start, --accept-moved, and the image's keys. */
export interface GateOptions {
  lock?: LockFile;
  accept: ReadonlySet<string>;
  keys?: KeyObject[];
  signal?: AbortSignal;
}

/** The gate for one image: the lock first (no request), then the signature check. */
export function tagGate(inv: Inventory, opts: GateOptions): TagGate {
  const { item } = inv.work;
  return async (tag, root) => {
    const digest = root.descriptor.digest;
    const moved = movedFrom(opts.lock, item.sourceText, tag, digest, opts.accept);
    if (moved) return { hold: { action: 'source-moved', detail: moved } };
    if (!item.signatures || !opts.keys || !needsSignature(tag, item.signatures)) return {};
    let candidates;
    try {
      await inv.sourceListed; // probed (sync --tag): the signature tags are found in the listing
      candidates = await collectSignatures(inv.source, inv.sourceTags, root.descriptor, opts.signal);
    } catch (err) {
      return { hold: { action: 'failed', detail: `source: cannot read the signatures of ${digest}: ${err instanceof Error ? err.message : String(err)}` } };
    }
    const verdict = judgeSignatures(candidates, opts.keys, item.signatures.algorithm, digest);
    // The signer's docker-reference is reported, not required to match: a mirror renames the repository.
    if (verdict.ok) return { note: `signature verified (${verdict.where}, docker-reference ${verdict.reference || 'none'})` };
    return { hold: { action: 'refused', detail: verdict.detail } };
  };
}

/** The detail of a source tag that left its recorded digest, or undefined (not recorded, same digest, or accepted). */
export function movedFrom(lock: LockFile | undefined, source: string, tag: string, digest: string, accept: ReadonlySet<string>): string | undefined {
  const entry = lock ? recorded(lock, source, tag) : undefined;
  if (!entry || entry.digest === digest || accept.has(tag)) return undefined;
  return `source tag moved: recorded ${entry.digest} (${entry.recordedAt}), source now ${digest}; nothing pushed (accept it with --accept-moved ${tag})`;
}
