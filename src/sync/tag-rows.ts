// A tag's row at each target: what was done or decided there, and why, in the report's words.
// Apart from the sync of the tag (tag.ts), which gathers what each row says.
import { addTally, emptyTally, type Tally } from '../copy/tally.js';
import type { TargetState } from '../inventory/inventory.js';
import type { SyncAction, SyncTargetResult } from '../report/model.js';
import { referrersRetargeted } from '../report/referrer-lacks.js';
import type { TargetWork } from './tag-target.js';

export function finish(w: TargetWork, digest: string, dryRun: boolean): SyncTargetResult {
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

