// What verify reads of the source, shared by every target's check: each manifest, referrer tag,
// blob presence and API referrer list asked at most once per run.
import { canListReferrers, type ManifestContent } from '../content/storage.js';
import { referrerTagsOf } from '../inventory/discover.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { sourceReferrerTags } from './source-referrer-tags.js';

/** Source manifests, referrer tag digests and API referrers, each fetched at most once. */
export class SourceFacts {
  private readonly manifests = new Map<string, Promise<ManifestContent>>();
  private readonly apiReferrers = new Map<string, Promise<Descriptor[]>>();
  private readonly blobs = new Map<string, Promise<boolean>>();
  private readonly referrerTagsFound = new Map<string, Promise<Set<string>>>();
  /** Source tags found by HEAD (verify --tag, sourceReferrerTags), where the listing did not answer first. */
  private readonly probedTags = new Set<string>();

  constructor(
    private readonly inv: Inventory,
    private readonly signal?: AbortSignal,
  ) {}

  manifest(reference: string): Promise<ManifestContent> {
    let p = this.manifests.get(reference);
    if (!p) {
      // verify --tag: the asked tags' manifests were read alongside the probes (discover prefetchRoots).
      p = this.inv.roots?.get(reference) ?? this.inv.source.fetchManifest(reference, { signal: this.signal });
      this.manifests.set(reference, p);
    }
    return p;
  }

  /**
   * Referrer tags the source has for the image and its children: from the tag list (no request),
   * or, verify --tag's listing still out (discover probeTags), by HEAD (source-referrer-tags.ts); asked once per image.
   */
  async referrerTagNames(root: ManifestContent): Promise<string[]> {
    const subjects = [root.descriptor.digest, ...children(root).map((c) => c.digest)];
    let found = this.referrerTagsFound.get(root.descriptor.digest);
    if (!found) {
      found = sourceReferrerTags(this.inv, subjects, this.signal);
      this.referrerTagsFound.set(root.descriptor.digest, found);
      found.then((tags) => tags !== this.inv.sourceTags && tags.forEach((t) => this.probedTags.add(t)), () => {});
    }
    const tags = await found;
    return subjects.flatMap((d) => referrerTagsOf(tags, d));
  }

  /** Those tags with the digest each has at the source (one request each, cached). */
  async referrerTags(root: ManifestContent): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await Promise.all((await this.referrerTagNames(root)).map(async (t) => out.set(t, (await this.manifest(t)).descriptor.digest)));
    return out;
  }

  /** Whether the source holds a blob (a HEAD, asked once per blob). */
  holdsBlob(desc: Descriptor): Promise<boolean> {
    let p = this.blobs.get(desc.digest);
    if (!p) {
      p = this.inv.source.exists(desc, { signal: this.signal });
      this.blobs.set(desc.digest, p);
    }
    return p;
  }

  /** Whether the source has `tag` (from the tag list, or a HEAD of referrerTagNames: no request). */
  sourceHasTag(tag: string): boolean {
    return this.inv.sourceTags?.has(tag) ?? this.probedTags.has(tag);
  }

  /** OCI 1.1 referrers of `subject` at the source ([] when the source has no referrers API). */
  referrers(subject: Descriptor): Promise<Descriptor[]> {
    const src = this.inv.source;
    if (!canListReferrers(src)) return Promise.resolve([]);
    let p = this.apiReferrers.get(subject.digest);
    if (!p) {
      p = src.referrers(subject, { signal: this.signal }).then((r) => r ?? []);
      this.apiReferrers.set(subject.digest, p);
    }
    return p;
  }
}

/** The child manifests of an index (none for an image). */
function children(node: ManifestContent): Descriptor[] {
  const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
  return isIndexType(parsed.mediaType) ? parsed.manifests : [];
}
