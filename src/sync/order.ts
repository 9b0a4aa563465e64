// Release tags first, floating tags last (SPEC: floating tags "never lead a release").
import { isReleaseTag } from '../config/tags.js';

/** Splits tags into the two phases of a run, keeping each phase's order. */
export function phases<T extends { tag: string }>(items: T[]): [T[], T[]] {
  const release: T[] = [];
  const floating: T[] = [];
  for (const item of items) (isReleaseTag(item.tag) ? release : floating).push(item);
  return [release, floating];
}
