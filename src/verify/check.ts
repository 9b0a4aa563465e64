// One (tag, target) audit, and the source facts every target's check shares (read once).
import { canListReferrers, missingRepositoryOf, type ManifestContent, type Repository } from '../content/storage.js';
import { referrerTagsOf, type Inventory, type TargetState } from '../inventory/discover.js';
import type { VerifyTargetResult } from '../report/model.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError } from '../types/errors.js';
import { namesSameBytes } from '../types/digest.js';
import { splitForeign } from '../types/foreign.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import type { UnsignedCheck } from './trust.js';
import { fallbackTagBytes, fallbackTagOf, lacksReferrersApi, listedDigests } from '../content/fallback-index.js';
import { referrerDiffers, referrerPartsAbsent } from '../report/referrer-lacks.js';
import { lostAtSource, refusedAtSource } from '../report/source-lacks.js';
import { partsLostAtSource } from './source-parts.js';
import { holdsTagAt, listedTags, tagDigestAt } from './target-tags.js';
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

export interface CheckOptions {
  deep: boolean;
  referrers: boolean;
  signal?: AbortSignal;
  /** `signatures` configured: the target's image must carry a valid signature there. */
  unsigned?: UnsignedCheck;
  /** `signatures` configured: why sync would refuse the tag, for a target that lacks it (verify/trust.ts sourceRefusal). */
  refusal?: () => Promise<string | undefined>;
}

/** in-sync / missing / mismatch / incomplete / missing-referrers / error for one target. */
export async function checkTarget(t: TargetState, tag: string, root: ManifestContent, facts: SourceFacts, opts: CheckOptions): Promise<VerifyTargetResult> {
  const repository = t.target.display;
  const want = root.descriptor.digest;
  // A probe's failure names its own request (HEAD …/manifests/TAG), a listing's needs saying.
  if (t.error) return { repository, status: 'error', digest: null, detail: t.probed ? t.error.message : `cannot list tags: ${t.error.message}` };
  if (!t.tags?.has(tag)) return { repository, status: 'missing', digest: null, detail: inMissingRepository(t, await missingDetail(root, facts, opts)) };
  try {
    const have = t.probed?.get(tag) ?? (await t.repo.resolve(tag, { signal: opts.signal })).digest;
    if (!namesSameBytes(root.bytes, want, have)) return { repository, status: 'mismatch', digest: have, detail: `target has ${have}, source has ${want}` };
    if (opts.deep) {
      const absent = await absentParts(t.repo, root, facts, opts.signal);
      if (absent.length > 0) return { repository, status: 'incomplete', digest: have, detail: `absent at the target: ${absent.join(', ')}` };
    }
    const unsigned = opts.unsigned && (await opts.unsigned(t, root.descriptor));
    if (unsigned) return { repository, status: 'unsigned', digest: have, detail: unsigned };
    if (opts.referrers) {
      const lacking = await lackingReferrers(t, root, facts, opts.deep, opts.signal);
      if (lacking.length > 0) return { repository, status: 'missing-referrers', digest: have, detail: lacking.join('; ') };
    }
    return { repository, status: 'in-sync', digest: have, detail: '' };
  } catch (err) {
    if (err instanceof NotFoundError) return { repository, status: 'missing', digest: null, detail: await missingDetail(root, facts, { ...opts, deep: false }) };
    return { repository, status: 'error', digest: null, detail: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A target whose registry said, listed, that the repository does not exist and creates none on
 * push (ECR): "run regmirror sync" alone fails there, so the row says what to do first.
 */
function inMissingRepository(t: TargetState, detail: string): string {
  const missing = missingRepositoryOf(t.repo);
  return missing ? `${detail}: ${missing.message}` : detail;
}

// A missing tag that sync would refuse says so: "run regmirror sync" would not bring it.
async function missingDetail(root: ManifestContent, facts: SourceFacts, opts: CheckOptions): Promise<string> {
  const refused = await opts.refusal?.();
  if (refused) return refusedAtSource(refused);
  return opts.deep ? absentDetail(root, facts) : 'tag absent at the target';
}

/** A tag absent at the target, under --deep: and whether its source can give it (source-parts.ts). */
async function absentDetail(root: ManifestContent, facts: SourceFacts): Promise<string> {
  const lost = await partsLostAtSource(root, facts);
  return lost.length > 0 ? lostAtSource(lost) : 'tag absent at the target';
}

function children(node: ManifestContent): Descriptor[] {
  const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
  return isIndexType(parsed.mediaType) ? parsed.manifests : [];
}

// A blob's presence in a target repository, asked once per run: the platforms of a release share
// most layers, and its tags share their base, so asking per (child, layer) asked again and again
// (an index of 150 children over 5 shared layers: 1,050 HEADs for 305 distinct blobs).
const heldBlobs = new WeakMap<Repository, Map<string, Promise<boolean>>>();

function holds(dst: Repository, blob: Descriptor, signal?: AbortSignal): Promise<boolean> {
  let known = heldBlobs.get(dst);
  if (!known) heldBlobs.set(dst, (known = new Map()));
  let asked = known.get(blob.digest);
  if (!asked) {
    asked = dst.exists(blob, { signal });
    known.set(blob.digest, asked);
    asked.catch(() => known.delete(blob.digest)); // a failed answer is not remembered
  }
  return asked;
}

/** Child manifests and blobs of the source graph that the target does not hold. */
async function absentParts(dst: Repository, root: ManifestContent, facts: SourceFacts, signal?: AbortSignal): Promise<string[]> {
  const absent: string[] = [];
  const visit = async (node: ManifestContent): Promise<void> => {
    const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    await Promise.all([
      // A foreign layer is at its URLs, never at a registry: its absence there is no drift; nor is
      // that of a blob with urls that the source lacks too (types/foreign.ts leftAtUrls).
      ...splitForeign(parsed.blobs).distributable.map(async (b) => {
        if (await holds(dst, b, signal)) return;
        if (!b.urls?.length || (await facts.holdsBlob(b))) absent.push(`blob ${b.digest}`);
      }),
      ...parsed.manifests.map(async (m) => {
        if (!(await dst.exists(m, { signal }))) absent.push(`manifest ${m.digest}`);
        await visit(await facts.manifest(m.digest));
      }),
    ]);
  };
  await visit(root);
  // A part several images of an index name (a shared layer, a child under two indexes) is one gap.
  return [...new Set(absent)].sort();
}

/** Referrer tags (and API referrers) the source has for this image that the target lacks or holds differently. */
async function lackingReferrers(t: TargetState, root: ManifestContent, facts: SourceFacts, deep: boolean, signal?: AbortSignal): Promise<string[]> {
  const lacking: string[] = [];
  const names = await facts.referrerTagNames(root);
  const held = await Promise.all(names.map((tag) => holdsTagAt(t, tag, signal)));
  names.forEach((tag, i) => !held[i] && lacking.push(`missing ${tag}`));
  if (deep) {
    // --deep also proves each present referrer tag holds the source's digest (two requests each),
    // and then its parts, as absentParts does the image's: a signature whose layer is gone fails
    // cosign verification at the mirror though its tag is in place.
    const tags = await facts.referrerTags(root);
    await Promise.all(
      [...tags].map(async ([tag, digest]) => {
        if (!(await holdsTagAt(t, tag, signal))) return; // said missing above
        // Only "not found" is missing; any other failure leaves the check undone (status error).
        const have = await tagDigestAt(t, tag, signal);
        if (have === null) lacking.push(`missing ${tag}`);
        else if (have !== digest) lacking.push(referrerDiffers(tag, have, digest));
        else lacking.push(...(await referrerParts(t.repo, tag, await facts.manifest(tag), facts, signal)));
      }),
    );
  }
  const apiReferrers = await facts.referrers(root.descriptor);
  // At a target without the referrers API, a referrer is findable only through the fallback tag
  // sync keeps there (unless the source has that tag itself: then it was copied, checked above).
  const tag = fallbackTagOf(root.descriptor.digest);
  const listed = apiReferrers.length > 0 && !facts.sourceHasTag(tag) && (await lacksReferrersApi(t.repo, root.descriptor, { signal })) ? await fallbackListing(t, tag, signal) : undefined;
  for (const desc of apiReferrers) {
    if (!(await t.repo.exists(desc, { signal }))) {
      lacking.push(`missing referrer ${desc.digest}`);
      continue;
    }
    if (listed && !listed.has(desc.digest)) lacking.push(`referrer ${desc.digest} not listed by the fallback tag ${tag} (the target has no referrers API)`);
    if (deep) lacking.push(...(await referrerParts(t.repo, `referrer ${desc.digest}`, await facts.manifest(desc.digest), facts, signal)));
  }
  return lacking.sort();
}

/** The parts of a referrer in place at the target that it lacks, named after the referrer. */
async function referrerParts(dst: Repository, name: string, referrer: ManifestContent, facts: SourceFacts, signal?: AbortSignal): Promise<string[]> {
  const absent = await absentParts(dst, referrer, facts, signal);
  return absent.length > 0 ? [referrerPartsAbsent(name, absent)] : [];
}

/** Digests the target's fallback tag lists (none when the tag is absent or not an index). */
async function fallbackListing(t: TargetState, tag: string, signal?: AbortSignal): Promise<Set<string>> {
  return new Set(listedDigests(await fallbackTagBytes(t.repo, tag, listedTags(t), { signal })));
}
