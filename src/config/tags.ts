// Which source tags a mirror item selects (SPEC.md "mirrors.yaml", tags rules). Pure; the order
// of the result matters: release tags in semver order first, so floating tags never lead a release.
import { compareTags } from '../types/tag.js';
import { explainTags } from './explain.js';

export { isReleaseTag, tagSpelling, tagVersion } from '../types/tag.js';
import type { TagRules } from './model.js';

/** Applies `rules` to the tags a source has; without rules every non-referrer tag is selected. */
export function selectTags(tags: string[], rules: TagRules, hasRules: boolean): string[] {
  return sortTags(explainTags(tags, rules, hasRules).filter((d) => d.selected).map((d) => d.tag));
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
