// Deterministic result order: by source, then tags in release order (semver first, then the rest).
import { compareTags } from '../types/tag.js';

export { compareTags } from '../types/tag.js';

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order of report results: source (code-unit order, locale-free), then tag. */
export function compareResults(a: { source: string; tag: string }, b: { source: string; tag: string }): number {
  return byCodeUnit(a.source, b.source) || compareTags(a.tag, b.tag);
}
