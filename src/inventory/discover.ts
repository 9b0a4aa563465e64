// What exists where, read once per repository: the source's tags, which of them this run
// handles (rules, --tag, --shard), and every target's tag list. sync, plan and verify start here.
import pLimit, { type LimitFunction } from 'p-limit';
import type { ManifestContent, Repository } from '../content/storage.js';
import type { ImageWork } from '../config/workitems.js';
import { referrerTagSubject, referrerTagsFor, type RepositoryRef } from '../types/reference.js';
import type { RepositoryOpener } from '../content/storage.js';
import { noTagsError, untaggedWarning } from './untagged.js';
import { settleFloatingAbsent } from './floating-absent.js';
import { AccessDeniedError } from '../types/errors.js';
import { listedOrStraggling } from './stragglers.js';
import { probeSource, probeTags } from './tag-probe.js';
import type { DiscoverOptions } from './discover-options.js';
import type { Inventory, TargetState } from './inventory.js';
import { choose } from './tag-choice.js';

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

/** Source tags that attach content to `digest` (cosign .sig/.att/.sbom and the OCI fallback tag). */
export function referrerTagsOf(tags: Set<string> | undefined, digest: string): string[] {
  if (!tags) return [];
  return referrerTagsFor(digest).filter((t) => tags.has(t) && referrerTagSubject(t) === digest);
}
