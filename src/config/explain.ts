// Why each source tag is selected or dropped (`plan --explain`): the one implementation of the tag
// rules, so what --explain says and what sync does can never disagree (selectTags is built on it).
// Pure: a tag list and the item's rules in, one decision per tag out.
import satisfies from 'semver/functions/satisfies.js'; // per-function modules: see types/tag.ts
import rcompare from 'semver/functions/rcompare.js';
import type SemVer from 'semver/classes/semver.js';
import { isValidTag, REFERRER_TAG } from '../types/reference.js';
import { tagVersion } from '../types/tag.js';
import type { TagRules } from './model.js';
import { userRegExp } from './user-regex.js';

/** The rule that decided a tag; `every-tag` = the item has no tag rules. */
export type TagRule = 'every-tag' | 'semver' | 'prerelease' | 'include' | 'exclude' | 'latest' | 'explicit' | 'referrer' | 'orphan-referrer' | 'invalid-name';

/** One tag's fate and the rule behind it, with the pattern or range in `detail`. */
export interface TagDecision {
  tag: string;
  selected: boolean;
  rule: TagRule;
  detail: string;
}

/** Decides every tag in `tags` (duplicates once, input order kept). */
export function explainTags(tags: string[], rules: TagRules, hasRules: boolean): TagDecision[] {
  const unique = [...new Set(tags)];
  const explicit = new Set(rules.explicit);
  // Each pattern compiled once for the whole list, not once per tag (a backfill's thousands of tags).
  const patterns: Patterns = { include: rules.include.map(compiled), exclude: rules.exclude.map(compiled) };
  const decisions = unique.map((tag) => firstVerdict(tag, rules, patterns, hasRules));
  if (hasRules && rules.latest > 0) dropBelowLatest(decisions, rules.latest);
  return decisions.map((d) => (explicit.has(d.tag) ? asExplicit(d) : d));
}

/** A rule's patterns, each with the source it was written as (for `detail`). */
interface Patterns {
  include: Pattern[];
  exclude: Pattern[];
}
type Pattern = { source: string; re: RegExp };
const compiled = (source: string): Pattern => ({ source, re: userRegExp(source) });

// Every rule but `latest`, which needs the whole list; the first rule that drops a tag names it.
function firstVerdict(tag: string, rules: TagRules, patterns: Patterns, hasRules: boolean): TagDecision {
  const drop = (rule: TagRule, detail: string): TagDecision => ({ tag, selected: false, rule, detail });
  if (REFERRER_TAG.test(tag)) return drop('referrer', 'signature, attestation, SBOM or referrers tag: travels with the image it belongs to');
  if (!isValidTag(tag)) return drop('invalid-name', 'not a tag name a registry accepts: sync reports it failed');
  if (!hasRules) return { tag, selected: true, rule: 'every-tag', detail: 'no tag rules: every tag' };
  const v = tagVersion(tag);
  if (rules.prerelease === false && v && v.prerelease.length > 0) return drop('prerelease', 'a prerelease, and prerelease: false');
  if (rules.semver !== undefined) {
    if (!v) return drop('semver', `not a semver version (semver: "${rules.semver}")`);
    if (!satisfies(v, rules.semver, { includePrerelease: rules.prerelease === true })) return drop('semver', `outside "${rules.semver}"`);
  }
  if (patterns.include.length > 0 && !patterns.include.some((p) => p.re.test(tag))) return drop('include', `matches none of ${rules.include.map((p) => `/${p}/`).join(', ')}`);
  const excluded = patterns.exclude.find((p) => p.re.test(tag));
  if (excluded !== undefined) return drop('exclude', `matches /${excluded.source}/`);
  return { tag, selected: true, ...keptBy(rules, patterns, tag) };
}

// The rule that most narrowly let a selected tag through, for the reader of --explain.
function keptBy(rules: TagRules, patterns: Patterns, tag: string): { rule: TagRule; detail: string } {
  if (rules.latest > 0) return { rule: 'latest', detail: `among the ${rules.latest} highest version(s)` };
  if (patterns.include.length > 0) return { rule: 'include', detail: `matches /${patterns.include.find((p) => p.re.test(tag))?.source}/` };
  if (rules.semver !== undefined) return { rule: 'semver', detail: `within "${rules.semver}"` };
  if (rules.exclude.length > 0) return { rule: 'exclude', detail: 'matches no exclude pattern' };
  return { rule: 'prerelease', detail: 'not a prerelease' };
}

// Explicit tags are selected whatever the rules said; a referrer tag still never travels alone.
function asExplicit(d: TagDecision): TagDecision {
  if (d.rule === 'referrer' || d.rule === 'invalid-name') return d;
  const detail = d.selected ? 'listed in explicit' : `listed in explicit (${d.rule} alone would drop it: ${d.detail})`;
  return { tag: d.tag, selected: true, rule: 'explicit', detail };
}

// `v1.2.3` and `1.2.3` are one version published twice (cert-manager's chart): both stay or go.
function dropBelowLatest(decisions: TagDecision[], n: number): void {
  const versions = new Map<string, SemVer>();
  for (const d of decisions) {
    const v = d.selected ? tagVersion(d.tag) : null;
    if (v) versions.set(v.version, v);
  }
  const top = new Set([...versions.values()].sort((a, b) => rcompare(a, b)).slice(0, n).map((v) => v.version));
  for (const d of decisions) {
    if (!d.selected || top.has(tagVersion(d.tag)?.version ?? '')) continue;
    Object.assign(d, { selected: false, rule: 'latest', detail: tagVersion(d.tag) ? `not among the ${n} highest version(s)` : `latest: ${n} keeps only versions` });
  }
}
