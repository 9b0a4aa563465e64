// What discover (discover.ts) found for one image entry: the source's tags, those this run handles,
// and every target's tags. Apart from the listing, as sync, plan and verify read it long after.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { ImageWork, TargetRepo } from '../config/workitems.js';

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
