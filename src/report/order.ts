// Deterministic result order: by source, then tags in release order (semver first, then the rest).
import semver from 'semver';

function asSemver(tag: string): semver.SemVer | null {
  return semver.parse(tag.startsWith('v') ? tag.slice(1) : tag);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver-aware tag order: `v1.2.0` < `v1.10.0`; non-semver tags after, alphabetically. */
export function compareTags(a: string, b: string): number {
  const va = asSemver(a);
  const vb = asSemver(b);
  if (va && vb) return semver.compare(va, vb) || byCodeUnit(a, b);
  if (va) return -1;
  if (vb) return 1;
  return byCodeUnit(a, b);
}

/** Order of report results: source (code-unit order, locale-free), then tag. */
export function compareResults(a: { source: string; tag: string }, b: { source: string; tag: string }): number {
  return byCodeUnit(a.source, b.source) || compareTags(a.tag, b.tag);
}
