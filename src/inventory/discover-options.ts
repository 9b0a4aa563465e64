// What sync, plan and verify ask of discover (discover.ts): its own module so that the choice of
// tags (tag-choice.ts) reads the same options without importing discover.ts.
import type { TargetState } from './inventory.js';

export interface DiscoverOptions {
  /** --tag: only these tags (rules are not applied to them). */
  tags?: string[];
  shard?: { index: number; count: number };
  /** Listings in flight at once to each registry (the layouts together count as one). */
  concurrency: number;
  signal?: AbortSignal;
  /** Told about things worth a warning line (explicit tags the source lacks). */
  onWarning?: (message: string) => void;
  /**
   * Read the --tag tags' manifests from the source alongside the tag listings: a release-time
   * `sync --tag vX.Y.Z` then starts its copy a round trip sooner (sync and plan read them anyway).
   */
  prefetchRoots?: boolean;
  /**
   * The access asked for at targets: 'push' for a sync that writes, 'pull' for verify and plan, so
   * an audit with read-only credentials asks its token service only for what it may have.
   */
  targetAccess: 'pull' | 'push';
  /**
   * With targetAccess 'pull': a target that refuses the listing is listed again as sync would, asking pull,push.
   * quay.io answers 401 for a repository that does not exist yet, alike for one hidden from us, and
   * grants push there: a plan of a new image said "repository absent or access denied" at every
   * such target, where the sync it plans creates the repository; verify called the same target an
   * audit error (exit 3) where its tags are missing (drift). 'plan' reports the second refusal
   * (read-only credentials: sync could not push there); 'audit' the first (the listing verify asked for).
   */
  pushIfRefused?: 'plan' | 'audit';
  /**
   * sync: return once a target's listing lags the image's others by this long, the target a
   * straggler (stragglers.ts); unset, every listing is waited for (plan, verify: an audit needs all).
   */
  stragglerAfterMs?: number;
  /** Told as each target's listing settles, stragglers' included. */
  onListed?: (t: TargetState) => void;
  /**
   * With `tags` (sync, plan and verify --tag): the targets are not listed but asked for each tag
   * by HEAD, and a sync's copies start once the source's HEADs found every tag, its listing still
   * out (tag-probe.ts).
   */
  probeTags?: boolean;
}
