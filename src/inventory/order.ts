// Reports list results in mirrors.yaml order, tags in version order (v1.2.3 before v1.10.0,
// floating tags after), whatever order the concurrent work finished in.
import type { ImageWork } from '../config/workitems.js';
import { compareTags } from '../types/tag.js';

/** Sorts results by the position of their source in `work`, then by tag. */
export function inConfigOrder<R extends { source: string; tag: string }>(results: R[], work: ImageWork[]): R[] {
  const position = new Map<string, number>();
  for (const w of work) if (!position.has(w.sourceDisplay)) position.set(w.sourceDisplay, w.index);
  const at = (source: string) => position.get(source) ?? Number.MAX_SAFE_INTEGER;
  return [...results].sort((a, b) => at(a.source) - at(b.source) || compareTags(a.tag, b.tag));
}
