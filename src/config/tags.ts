// Which source tags a mirror item selects (SPEC.md "mirrors.yaml", tags rules). Pure; the order
// of the result matters: release tags in semver order first, so floating tags never lead a release.
import satisfies from 'semver/functions/satisfies.js'; // per-function modules: see types/tag.ts
import rcompare from 'semver/functions/rcompare.js';
import type SemVer from 'semver/classes/semver.js';
import { REFERRER_TAG } from '../types/reference.js';
import { compareTags, tagVersion } from '../types/tag.js';

export { isReleaseTag, tagVersion } from '../types/tag.js';
import type { TagRules } from './model.js';

/** Applies `rules` to the tags a source has; without rules every non-referrer tag is selected. */
export function selectTags(tags: string[], rules: TagRules, hasRules: boolean): string[] {
  const candidates = [...new Set(tags)].filter((t) => !REFERRER_TAG.test(t));
  const picked = hasRules ? applyRules(candidates, rules) : candidates;
  const explicit = new Set(rules.explicit);
  const result = new Set([...picked, ...candidates.filter((t) => explicit.has(t))]);
  return sortTags([...result]);
}

/** Explicit tags the source lacks, so callers can report them rather than silently skip. */
export function missingExplicit(tags: string[], rules: TagRules): string[] {
  const have = new Set(tags);
  return rules.explicit.filter((t) => !have.has(t));
}

/** Release tags in ascending semver order, then the rest alphabetically. */
export function sortTags(tags: string[]): string[] {
  return [...tags].sort(compareTags);
}

function applyRules(tags: string[], rules: TagRules): string[] {
  const include = rules.include.map((p) => new RegExp(p));
  const exclude = rules.exclude.map((p) => new RegExp(p));
  const kept = tags.filter((tag) => {
    const v = tagVersion(tag);
    if (rules.semver !== undefined) {
      if (!v || !satisfies(v, rules.semver, { includePrerelease: rules.prerelease === true })) return false;
    }
    if (rules.prerelease === false && v && v.prerelease.length > 0) return false;
    if (include.length > 0 && !include.some((r) => r.test(tag))) return false;
    return !exclude.some((r) => r.test(tag));
  });
  return rules.latest > 0 ? highest(kept, rules.latest) : kept;
}

// `v1.2.3` and `1.2.3` are one version published twice (cert-manager's chart): both stay.
function highest(tags: string[], n: number): string[] {
  const versions = new Map<string, SemVer>();
  for (const t of tags) {
    const v = tagVersion(t);
    if (v) versions.set(v.version, v);
  }
  const top = new Set([...versions.values()].sort((a, b) => rcompare(a, b)).slice(0, n).map((v) => v.version));
  return tags.filter((t) => top.has(tagVersion(t)?.version ?? ''));
}
