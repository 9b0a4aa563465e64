// Tags at one digest (v1.14.1, 1.14.1 and latest) share its referrers. The first tag of the run
// to reach the digest at a destination handles them there, once; every later tag takes over what
// that handling left to report (conflicts, failures), naming the tag it came from. Without that,
// a referrer the target refused failed the first tag alone, and the others said `copied`.
import type { Repository } from '../content/storage.js';
import type { CopyLedger } from '../copy/ledger.js';
import { emptyTally } from '../copy/tally.js';
import type { ReferrerOutcome } from './referrer-job.js';

/** What handling a digest's referrers at one destination left to report. */
interface Problems {
  conflicts: string[];
  errors: string[];
}

/** One tag's handling of a digest's referrers at one destination. */
interface Handling {
  tag: string;
  problems: Promise<Problems>;
}

/** What a tag does about a digest's referrers: handle them at `mine`, take over the rest. */
export interface ReferrerShare {
  /** The destinations where this tag is the first to handle them. */
  mine: Repository[];
  /** Fresh outcomes for `mine` (the tallies are the tag's own): what this handling alone did. */
  outcomes: Map<Repository, ReferrerOutcome>;
  /** Call once the handling at `mine` is over: adds it to the tag's outcomes and tells the later tags. */
  done: () => void;
  /**
   * Resolves once what the earlier tags' handling left elsewhere is in the tag's outcomes. Await
   * it only after the tag's own handling: two tags may each wait on the other's nested referrers.
   */
  inherited: Promise<void>;
}

// Per run: the run's ledger is the one thing every tag of it shares.
const runs = new WeakMap<CopyLedger, Map<string, Handling>>();

/** Claims the referrers of `digest` at each of `dsts` for `tag`, where no other tag of the run has. */
export function shareReferrers(ledger: CopyLedger, digest: string, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, tag: string): ReferrerShare {
  let handled = runs.get(ledger);
  if (!handled) runs.set(ledger, (handled = new Map()));
  const mine: Repository[] = [];
  const settles: ((p: Problems) => void)[] = [];
  const taken: Promise<void>[] = [];
  for (const dst of dsts) {
    const key = `${dst.name}\0${digest}`;
    const earlier = handled.get(key);
    const out = outcomes.get(dst);
    if (earlier) {
      if (out) taken.push(takeOver(earlier, out));
      continue;
    }
    let settle!: (p: Problems) => void;
    handled.set(key, { tag, problems: new Promise<Problems>((resolve) => (settle = resolve)) });
    mine.push(dst);
    settles.push(settle);
  }
  const fresh = new Map(mine.map((dst) => [dst, blank(outcomes.get(dst))]));
  const done = () =>
    mine.forEach((dst, i) => {
      const own = fresh.get(dst)!;
      const out = outcomes.get(dst);
      if (out) {
        out.copied += own.copied;
        out.retargeted += own.retargeted;
        out.present += own.present;
        out.refilled += own.refilled;
        out.conflicts.push(...own.conflicts);
        out.errors.push(...own.errors);
      }
      settles[i]!({ conflicts: own.conflicts, errors: own.errors });
    });
  return { mine, outcomes: fresh, done, inherited: Promise.all(taken).then(() => undefined) };
}

async function takeOver(earlier: Handling, out: ReferrerOutcome): Promise<void> {
  const { conflicts, errors } = await earlier.problems;
  const from = `shared with ${earlier.tag}: `;
  out.conflicts.push(...conflicts.map((c) => from + c));
  out.errors.push(...errors.map((e) => from + e));
}

function blank(out: ReferrerOutcome | undefined): ReferrerOutcome {
  return { copied: 0, retargeted: 0, present: 0, refilled: 0, conflicts: [], errors: [], tally: out?.tally ?? emptyTally() };
}
