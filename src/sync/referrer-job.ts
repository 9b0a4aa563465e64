// What a referrer copy is given (ReferrerJob) and what it reports per destination (ReferrerOutcome,
// counted by record and refill): shared by the walk (referrers.ts), its two kinds of referrer
// (referrer-tags.ts, listed-referrers.ts), the fallback tag and the shared-digest hand-off.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { TagCopier } from './copier.js';
import type { GraphResults } from '../copy/graph.js';
import { refillGraph } from '../copy/refill.js';
import type { CopyContext } from '../copy/context.js';
import { addTally, type Tally } from '../copy/tally.js';

/** Per destination: referrer tags copied (or to copy), conflicts left alone, and failures. */
export interface ReferrerOutcome {
  copied: number;
  /** Of those copied, referrer tags that held another digest there (--force or overwrite): a plain sync holds them as conflicts. */
  retargeted: number;
  present: number;
  /** --deep: referrers in place whose missing blobs or child manifests were copied. */
  refilled: number;
  conflicts: string[];
  errors: string[];
  tally: Tally;
}

export interface ReferrerJob {
  ctx: CopyContext;
  copyTag: TagCopier;
  sourceTags: Set<string>;
  /** Tag lists of the destinations, read at the start of the run; undefined where not listed (its tags are asked for). */
  targetTags: Map<Repository, Set<string> | undefined>;
  overwrite: boolean;
  /** Resolves once the subject image is in place at a destination (rejects if it failed there). */
  subjectPlaced?: (dst: Repository) => Promise<void>;
  /** The tag whose referrers these are: named to the later tags of the run that share its digest. */
  tag?: string;
  /** sync --deep: a referrer in place has its blobs and child manifests checked, and the missing copied. */
  deep?: boolean;
}

/**
 * A referrer's own copy (`placing`) with what is attached to it, walked one level deeper
 * (referrers.ts withNested): handed to each kind of referrer, as it leads back to the walk.
 */
export type Nested = (content: ManifestContent, placing: Promise<GraphResults>) => Promise<GraphResults>;

/**
 * sync --deep: copies what a referrer in place at `dsts` lacks below it (refillGraph: each
 * referrer walked once per destination in a run), never writing the referrer or its tag again.
 */
export async function refill(job: ReferrerJob, content: ManifestContent, dsts: Repository[], outcomes: Map<Repository, ReferrerOutcome>, what: string): Promise<void> {
  if (dsts.length === 0) return;
  for (const [dst, r] of await refillGraph(job.ctx, content, dsts)) {
    const out = outcomes.get(dst);
    if (!out) continue;
    addTally(out.tally, r.tally);
    if (r.error) out.errors.push(naming(what, r.error));
    else if (r.tally.copied + r.tally.mounted + r.tally.manifests > 0) out.refilled += 1;
  }
}

/** Counts one referrer's copy at a destination: failed, `found` there already, or copied. */
export function record(out: ReferrerOutcome | undefined, r: { tally: Tally; error?: Error }, what: string, found = false): void {
  if (!out) return;
  addTally(out.tally, r.tally);
  if (r.error) out.errors.push(naming(what, r.error));
  else if (found) out.present += 1;
  else out.copied += 1;
}

// `what` (a referrer's digest or tag) before the error, unless the error names it already (a
// manifest the copy could not read is named by digest: graph-below.ts copyBelow).
function naming(what: string, err: Error): string {
  return err.message.includes(`${what}: `) ? err.message : `${what}: ${err.message}`;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A fresh, empty outcome. */
export function emptyReferrerOutcome(tally: Tally): ReferrerOutcome {
  return { copied: 0, retargeted: 0, present: 0, refilled: 0, conflicts: [], errors: [], tally };
}
