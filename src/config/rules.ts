// Semantic checks a schema cannot express for tag rules and target lists, and the key-by-key
// merge of an item's `tags` over `defaults.tags` (SPEC.md "mirrors.yaml").
import validRange from 'semver/ranges/valid.js'; // one function, not the whole index (types/tag.ts)
import { isValidTag, parseNamespace, type NamespaceRef } from '../types/reference.js';
import { RegmirrorError } from '../types/errors.js';
import { tagNamed } from '../types/tag.js';
import type { TagRules } from './model.js';
import type { RawTags } from './raw.js';
import { formatPath, type Locator, type PathSegment } from './positions.js';

/** Throws a ConfigError for a bad semver range, regex or explicit tag in `tags` at `path`. */
export function checkTagRules(tags: RawTags | undefined, path: PathSegment[], loc: Locator): void {
  if (!tags) return;
  if (tags.semver !== undefined && validRange(tags.semver) === null) {
    throw loc.errorAt([...path, 'semver'], `${formatPath([...path, 'semver'])}: invalid semver range "${tags.semver}" (e.g. ">=1.12.0", "^1.14 || ^1.15")`);
  }
  for (const key of ['include', 'exclude'] as const) {
    (tags[key] ?? []).forEach((pattern, i) => {
      try {
        new RegExp(pattern);
      } catch (err) {
        const where = [...path, key, i];
        throw loc.errorAt(where, `${formatPath(where)}: bad regex: ${(err as Error).message}`);
      }
    });
  }
  // A chart version as Helm users write it (1.2.3+build.4) names the tag helm push gave it, as --tag does.
  (tags.explicit ?? []).forEach((tag, i) => {
    if (!isValidTag(tagNamed(tag))) {
      const where = [...path, 'explicit', i];
      throw loc.errorAt(where, `${formatPath(where)}: "${tag}" is not a valid tag (letters, digits, _ . -, up to 128, not starting with . or -)`);
    }
  });
}

/** Merges item rules over default rules key by key; absent keys inherit. */
export function mergeTagRules(defaults: RawTags | undefined, item: RawTags | undefined): TagRules {
  const m: RawTags = { ...defaults, ...item };
  const out: TagRules = {
    include: m.include ?? [],
    exclude: m.exclude ?? [],
    latest: m.latest ?? 0,
    explicit: (m.explicit ?? []).map(tagNamed),
  };
  if (m.semver !== undefined) out.semver = m.semver;
  if (m.prerelease !== undefined) out.prerelease = m.prerelease;
  return out;
}

/** Whether any rule key was written in either place. */
export function anyTagRule(...written: (RawTags | undefined)[]): boolean {
  return written.some((t) => t !== undefined && Object.keys(t).length > 0);
}

/** Prints a namespace as users write it, for messages and duplicate detection. */
export function formatNamespace(ns: NamespaceRef): string {
  if (ns.scheme === 'oci') return `oci:${ns.dir.replace(/\/+$/, '')}`;
  return ns.path ? `${ns.registry}/${ns.path}` : ns.registry;
}

/** Parses a `targets:` list, refusing bad namespaces and the same namespace twice. */
export function parseTargets(list: string[], path: PathSegment[], loc: Locator): NamespaceRef[] {
  const seen = new Set<string>();
  return list.map((text, i) => {
    const where = [...path, i];
    const ns = parseAt(() => parseNamespace(text), where, loc);
    const key = formatNamespace(ns);
    if (seen.has(key)) throw loc.errorAt(where, `${formatPath(where)}: duplicate target "${key}"`);
    seen.add(key);
    return ns;
  });
}

/** Runs a reference parser, turning its UnsupportedError into a ConfigError at `where`. */
export function parseAt<T>(parse: () => T, where: PathSegment[], loc: Locator): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof RegmirrorError) throw loc.errorAt(where, `${formatPath(where)}: ${err.message}`);
    throw err;
  }
}
