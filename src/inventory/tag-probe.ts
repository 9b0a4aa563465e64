// `sync --tag vX.Y.Z` at release time asks about one tag (or a few) in repositories holding
// hundreds: quay.io pages its tag lists by 100 behind an opaque cursor, one round trip after
// another, and every target's and the source's listing had to end before the first copy began
// (release hunt: 5 images, 300 old tags, 50 ms away: 60 pages, ~0.8 s of a 5 s run). What the copy
// needs of a target is whether each asked tag is there and at which digest: one HEAD per spelling,
// all at once. The source's listing still finds the referrer tags (sha256-HEX.sig, …), read while
// the image travels: its referrers wait for it, the image does not (discover.ts sourceListed).
import type { CallOptions, ManifestContent, Repository } from '../content/storage.js';
import { isReleaseTag, tagSpelling } from '../config/tags.js';
import { NotFoundError } from '../types/errors.js';

/** The tags a --tag stands for: a release in both its spellings (v1.2.3 and 1.2.3; 1.2.3+b as 1.2.3_b), anything else as written. */
export function tagSpellings(tag: string): string[] {
  if (!isReleaseTag(tag)) return [tag];
  const spelled = tagSpelling(tag);
  return [spelled, spelled.startsWith('v') ? spelled.slice(1) : `v${spelled}`];
}

/** What a repository holds of the asked tags: the names there, with the digest each points at. */
export interface ProbedTags {
  tags: Set<string>;
  digests: Map<string, string>;
}

/** HEADs every spelling of `asked` (a root already being read counts as its probe); a failure other than absence is thrown. */
export async function probeTags(repo: Repository, asked: string[], opts: CallOptions, roots?: Map<string, Promise<ManifestContent>>): Promise<ProbedTags> {
  const names = [...new Set(asked.flatMap(tagSpellings))];
  const found = await Promise.all(
    names.map(async (name) => {
      const root = roots?.get(name);
      const digest = root ? (await root).descriptor.digest : (await repo.resolve(name, opts)).digest;
      return [name, digest] as const;
    }).map((p) => p.catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    })),
  );
  const digests = new Map(found.filter((f) => f !== undefined));
  return { tags: new Set(digests.keys()), digests };
}

/**
 * The source's asked tags by probe, when that settles everything: each asked tag there in some
 * spelling. Undefined otherwise (a tag absent, a probe failed): the listing then decides, and says
 * why as before (no such repository, no such tag, unreachable).
 */
export async function probeSource(source: Repository, asked: string[], opts: CallOptions, roots?: Map<string, Promise<ManifestContent>>): Promise<Set<string> | undefined> {
  try {
    const { tags } = await probeTags(source, asked, opts, roots);
    return asked.every((tag) => tagSpellings(tag).some((s) => tags.has(s))) ? tags : undefined;
  } catch {
    return undefined;
  }
}
