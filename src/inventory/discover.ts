// What exists where, read once per repository: the source's tags, which of them this run
// handles (rules, --tag, --shard), and every target's tag list. sync, plan and verify start here.
import pLimit, { type LimitFunction } from 'p-limit';
import type { ManifestContent, Repository } from '../content/storage.js';
import { missingExplicit, selectTags } from '../config/tags.js';
import { inShard, type ImageWork, type TargetRepo } from '../config/workitems.js';
import { isValidTag, referrerTagSubject, referrerTagsFor, type RepositoryRef } from '../types/reference.js';
import type { RepositoryOpener } from '../content/storage.js';
import { noTagsError, untaggedWarning } from './untagged.js';
import { settleFloatingAbsent } from './floating-absent.js';
import { AccessDeniedError } from '../types/errors.js';
import { listedOrStraggling } from './stragglers.js';
import { probeSource, probeTags, tagSpellings } from './tag-probe.js';

/** A target repository with its tag list, or why it could not be read. */
export interface TargetState {
  target: TargetRepo;
  repo: Repository;
  tags?: Set<string>;
  error?: Error;
  /** A straggler's listing, still out when discover returned (DiscoverOptions.stragglerAfterMs); settles with `tags` or `error` set. */
  listed?: Promise<void>;
  /**
   * DiscoverOptions.probeTags: `tags` holds only the asked tags found there (by HEAD), with their
   * digests; any other tag's presence is unknown there, so it is asked for, never taken as absent.
   */
  probed?: Map<string, string>;
}

/** One image entry's source and targets as found at the start of the run. */
export interface Inventory {
  work: ImageWork;
  source: Repository;
  /** Every source tag (referrer tags included); undefined when the listing failed. */
  sourceTags?: Set<string>;
  sourceError?: Error;
  /** Tags this run handles, release tags in semver order first. */
  selected: string[];
  /** Tags asked for with --tag that the source lacks: the run cannot do what it was told. */
  absent: string[];
  /** `explicit` tags the source lacks: worth a warning, not a failure (the rule says "when present"). */
  absentExplicit: string[];
  /**
   * Source tags no registry takes as a tag name: a layout's ref.name may be `with/slash` or a full
   * reference (`alpine:3.18`, as `skopeo copy … oci:DIR:alpine:3.18` writes). Each is reported
   * failed, never dropped in silence.
   */
  unnamed: string[];
  targets: TargetState[];
  /** Manifests of the --tag tags, asked for alongside the listings (DiscoverOptions.prefetchRoots). */
  roots?: Map<string, Promise<ManifestContent>>;
  /**
   * DiscoverOptions.probeTags, when the probes found every asked tag: `selected` came from them and
   * the source's listing is still out; it settles with `sourceTags` or `sourceError` set (the
   * referrer tags are found there: their copies and the signature gate wait for it).
   */
  sourceListed?: Promise<void>;
  /** The asked tags' spellings the source's probes found (probeTags). */
  probedTags?: Set<string>;
}

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
   * With `tags` (sync --tag): the targets are not listed but asked for each tag by HEAD, and the
   * copies start once the source's HEADs found every tag, its listing still out (tag-probe.ts).
   */
  probeTags?: boolean;
}

/** Lists every source and target repository once, in parallel. */
export async function discover(work: ImageWork[], stores: RepositoryOpener, opts: DiscoverOptions): Promise<Inventory[]> {
  const limitOf = limitPerRegistry(opts.concurrency);
  const call = { signal: opts.signal };
  const listing = (repo: Repository, ref: RepositoryRef) => limitOf(ref)(() => repo.listTags(call));
  // The tags and the news together: a straggler is ready for its copies, warm or cold, at once.
  const settled = (t: TargetState, outcome: Pick<TargetState, 'tags' | 'error'>) => {
    Object.assign(t, outcome);
    opts.onListed?.(t);
  };
  const inventories = await Promise.all(
    work.map(async (w) => {
      const source = stores.open(w.source, 'pull');
      const targets: TargetState[] = w.targets.map((target) => ({ target, repo: stores.open(target.ref, opts.targetAccess) }));
      const inv: Inventory = { work: w, source, selected: [], absent: [], absentExplicit: [], unnamed: [], targets };
      if (opts.prefetchRoots && opts.tags && opts.tags.length > 0) inv.roots = new Map([...new Set(opts.tags)].map((tag) => [tag, prefetch(source, tag, call)]));
      const asked = opts.probeTags && opts.tags && opts.tags.length > 0 ? [...new Set(opts.tags)] : undefined;
      const sourceListed = listing(source, w.source).then(
        async (tags) => {
          // An empty or absent source is almost always a typo in mirrors.yaml: say so.
          if (tags.length === 0 && !w.sourceMayBeEmpty) inv.sourceError = await noTagsError(source);
          else inv.sourceTags = new Set(tags);
          const warning = tags.length > 0 ? await untaggedWarning(source) : undefined;
          if (warning) opts.onWarning?.(warning);
        },
        (err: Error) => void (inv.sourceError = err),
      );
      // Probed, a target is asked for the run's tags alone; stragglers and failures as for a listing.
      const probe = (t: TargetState) => {
        t.probed = new Map(); // marked from the start: a refused probe is no failed listing
        return limitOf(t.target.ref)(() => probeTags(t.repo, asked!, call)).then((p) => ((t.probed = p.digests), [...p.tags]));
      };
      const targetsListed = targets.map((t) =>
        (asked ? probe(t) : listing(t.repo, t.target.ref))
          .catch((err: unknown) => {
            if (!opts.pushIfRefused || !(err instanceof AccessDeniedError)) throw err;
            const pull = t.repo;
            t.repo = stores.open(t.target.ref, 'push');
            return listing(t.repo, t.target.ref).catch((again: unknown) => {
              if (opts.pushIfRefused === 'plan') throw again;
              t.repo = pull;
              throw err;
            });
          })
          .then(
            (tags) => settled(t, { tags: new Set(tags) }),
            (err: Error) => settled(t, { error: err }),
          ),
      );
      // The source's probes, when they settle every asked tag, stand for its listing until the referrers need it.
      const sourceKnown = !asked ? sourceListed : limitOf(w.source)(() => probeSource(source, asked, call, inv.roots)).then((found) => {
        if (!found) return sourceListed;
        inv.probedTags = found;
        inv.sourceListed = sourceListed;
      });
      if (opts.stragglerAfterMs === undefined) await Promise.all([sourceKnown, ...targetsListed]);
      else await listedOrStraggling(sourceKnown, targets, targetsListed, opts.stragglerAfterMs);
      if (inv.probedTags) choose(inv, [...inv.probedTags], opts);
      else if (inv.sourceTags) choose(inv, [...inv.sourceTags], opts);
      for (const tag of inv.absentExplicit) opts.onWarning?.(`${inv.work.sourceDisplay}: explicit tag ${tag} is not at the source`);
      return inv;
    }),
  );
  settleFloatingAbsent(inventories, opts.onWarning);
  return inventories;
}

/**
 * A limit per registry: with one for all, a target that never answers took every slot with its
 * listings, and the images after them (the healthy registries' listings too) waited until it gave up.
 */
function limitPerRegistry(concurrency: number): (ref: RepositoryRef) => LimitFunction {
  const limits = new Map<string, LimitFunction>();
  return (ref) => {
    const key = ref.scheme === 'registry' ? ref.registry : 'oci:';
    let limit = limits.get(key);
    if (!limit) limits.set(key, (limit = pLimit(Math.max(1, concurrency))));
    return limit;
  };
}

/** The manifest of `tag`, asked for now; a failure is the tag's own, met when its copy awaits it. */
function prefetch(source: Repository, tag: string, call: { signal?: AbortSignal }): Promise<ManifestContent> {
  const root = source.fetchManifest(tag, call);
  root.catch(() => {}); // a tag the source lacks is reported from the listing; its copy never awaits this
  return root;
}

function choose(inv: Inventory, sourceTags: string[], opts: DiscoverOptions): void {
  const { item, sourceDisplay } = inv.work;
  let selected: string[];
  if (opts.tags && opts.tags.length > 0) {
    const present = new Set(sourceTags);
    const asked = [...new Set(opts.tags)];
    // A release is one version however it is spelled: Helm charts carry both v1.2.3 and 1.2.3, and
    // 1.2.3+build.4 as the tag 1.2.3_build.4 (tagSpelling).
    const wanted = [...new Set(asked.flatMap(tagSpellings))].filter((t) => present.has(t));
    selected = selectTags(wanted, { include: [], exclude: [], latest: 0, explicit: [] }, false);
    // Absent only when the release is in no spelling: its twin alone is that release.
    inv.absent = asked.filter((t) => !tagSpellings(t).some((s) => present.has(s)));
  } else {
    selected = selectTags(sourceTags, item.tags, item.hasTagRules);
    inv.absentExplicit = missingExplicit(sourceTags, item.tags);
    inv.unnamed = sourceTags.filter((t) => !isValidTag(t));
  }
  const mine = (tag: string) => !opts.shard || inShard(sourceDisplay, tag, opts.shard);
  inv.selected = selected.filter(mine);
  inv.unnamed = inv.unnamed.filter(mine);
  // A --tag the source lacks is an item too: the shard that would have copied it reports it, once.
  inv.absent = inv.absent.filter(mine);
}

/** Source tags that attach content to `digest` (cosign .sig/.att/.sbom and the OCI fallback tag). */
export function referrerTagsOf(tags: Set<string> | undefined, digest: string): string[] {
  if (!tags) return [];
  return referrerTagsFor(digest).filter((t) => tags.has(t) && referrerTagSubject(t) === digest);
}
