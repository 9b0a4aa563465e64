// One target's part in a tag's sync: what the tag is there now and what to do about it, read before
// anything is copied. Apart from the sync of the tag (tag.ts), which runs the copies it decides.
import { missingRepositoryOf, type ManifestContent } from '../content/storage.js';
import { callOptions, type CopyContext } from '../copy/context.js';
import { emptyTally, type Tally } from '../copy/tally.js';
import type { TargetState } from '../inventory/inventory.js';
import { NotFoundError } from '../types/errors.js';
import { namesSameBytes } from '../types/digest.js';
import { decide, type Decision } from './classify.js';
import { emptyReferrerOutcome, type ReferrerOutcome } from './referrer-job.js';

export interface TargetWork {
  state: TargetState;
  previous: string | null;
  decision?: Decision;
  error?: string;
  tally: Tally;
  referrers: ReferrerOutcome;
  /** --deep found parts of the tagged image missing there and copied them (its referrers' not counted). */
  refilled?: { blobs: number; manifests: number };
}

export async function inspect(state: TargetState, tag: string, root: ManifestContent, overwrite: boolean, ctx: CopyContext): Promise<TargetWork> {
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

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
