// `binaries:` entries as the work the use cases share: publish selects them by --filter, and
// verify audits them like images — against `source` when given, else target against target
// with the first target as the reference (SPEC "A binaries entry without source …").
import type { BinaryItem, Config, ImageItem } from '../config/model.js';
import { binaryNames, globToRegExp, type ImageWork } from '../config/workitems.js';
import { formatRepository, repositoryIn, type RepositoryRef } from '../types/reference.js';

/** The binaries entries whose name (or source repository) matches a --filter glob; none = all. */
export function selectBinaries(config: Config, filters: string[]): BinaryItem[] {
  const patterns = filters.map(globToRegExp);
  return config.binaries.filter((b) => {
    if (patterns.length === 0) return true;
    return patterns.some((p) => binaryNames(b).some((n) => p.test(n)));
  });
}

/**
 * Binaries entries as verify work items. Without `source`, the first target is the reference
 * and the others are checked against it; an entry with a single target and no source has
 * nothing to compare and is left out. `index` continues after `images:` so it stays unique.
 */
export function binaryWork(config: Config, filters: string[]): ImageWork[] {
  const out: ImageWork[] = [];
  config.binaries.forEach((b, i) => {
    if (!selectBinaries({ ...config, binaries: [b] }, filters).length) return;
    const repos = b.targets.map((ns) => repositoryIn(ns, b.name));
    const source = b.source ? repositoryIn(b.source, b.name) : repos.shift();
    if (!source || repos.length === 0) return;
    out.push({
      item: imageItemOf(b, source),
      index: config.images.length + i,
      source,
      sourceDisplay: formatRepository(source),
      targets: repos.map((ref) => ({ ref, display: formatRepository(ref) })),
      sourceMayBeEmpty: true,
      binaries: true,
    });
  });
  return out;
}

/** The ImageItem view of a binaries entry; referrers are on, so signatures of an artifact are audited too. */
function imageItemOf(b: BinaryItem, source: RepositoryRef): ImageItem {
  return {
    sourceText: formatRepository(source),
    source,
    name: b.name,
    targets: b.source ? b.targets : b.targets.slice(1),
    tags: b.tags,
    hasTagRules: b.hasTagRules,
    referrers: true,
    overwrite: false,
    engine: 'native',
    position: b.position,
  };
}
