// `images:` and `binaries:` → validated items with defaults applied: references parsed, names
// checked, targets inherited, tag rules merged, and no target repository claimed twice.
import { basename, formatRepository, isValidRepositoryPath, parseNamespace, parseRepository, repositoryIn, type NamespaceRef, type RepositoryRef } from '../types/reference.js';
import { UnsupportedError } from '../types/errors.js';
import type { BinaryItem, Config, ImageItem } from './model.js';
import type { RawBinary, RawConfig, RawImage } from './raw.js';
import { formatPath, type Locator, type PathSegment } from './positions.js';
import { anyTagRule, checkTagRules, mergeTagRules, parseAt, parseTargets } from './rules.js';
import { checkSignatures, mergeSignatures } from './signatures.js';
import { configPath } from './paths.js';

type Defaults = Config['defaults'];

/** Builds `images:`; throws a ConfigError at the first bad item. */
export function buildImages(raw: RawConfig, defaults: Defaults, loc: Locator, baseDir: string): ImageItem[] {
  const claimed = new Map<string, string>();
  const images = (raw.images ?? []).map((r: RawImage, i) => {
    const at: PathSegment[] = ['images', i];
    const source = parseAt(() => parseSource(r.source), [...at, 'source'], loc);
    const name = checkName(r.name ?? basename(source), r.name !== undefined ? [...at, 'name'] : [...at, 'source'], loc);
    const targets = itemTargets(r.targets, defaults.targets, at, loc);
    checkTagRules(r.tags, [...at, 'tags'], loc);
    claim(claimed, targets, name, at, r.name !== undefined ? 'name' : 'source', loc);
    checkSignatures(r.signatures, [...at, 'signatures'], loc);
    const signatures = mergeSignatures(raw.defaults?.signatures, r.signatures, baseDir, at, loc);
    return {
      sourceText: r.source,
      source,
      name,
      targets,
      tags: mergeTagRules(raw.defaults?.tags, r.tags),
      hasTagRules: anyTagRule(raw.defaults?.tags, r.tags),
      referrers: r.referrers ?? defaults.referrers,
      overwrite: r.overwrite ?? defaults.overwrite,
      engine: r.engine ?? defaults.engine,
      ...(signatures ? { signatures } : {}),
      position: loc.value(at),
    };
  });
  checkCycles(raw, images, loc);
  return images;
}

// A ring of items each mirroring into the next one's source would copy a mirror back over a source
// (with --force, retarget the release itself). A chain (A → B, B → C) is fine; a loop is refused at
// the target that closes it. A target that is the item's own source is no loop: a sync there finds
// every tag in place, and it is how a gateway serves from the source alone (an item needs a target).
function checkCycles(raw: RawConfig, images: ImageItem[], loc: Locator): void {
  const bySource = new Map(images.map((im, i) => [formatRepository(im.source), i]));
  const next = images.map((im) =>
    im.targets.map((ns) => bySource.get(formatRepository(repositoryIn(ns, im.name)))),
  );
  const state: number[] = images.map(() => 0); // 0 unseen, 1 on the path, 2 done
  const visit = (i: number, path: number[]): void => {
    state[i] = 1;
    next[i]!.forEach((j, k) => {
      if (j === undefined || j === i || state[j] === 2) return;
      if (state[j] === 1) {
        const own = raw.images?.[i]?.targets !== undefined;
        const where: PathSegment[] = own ? ['images', i, 'targets', k] : ['images', i];
        const ring = [...path.slice(path.indexOf(j)), i, j].map((n) => formatRepository(images[n]!.source)).join(' → ');
        throw loc.errorAt(where, `${formatPath(['images', i])}: mirrors form a loop (${ring}), which would copy a mirror back over a source; break it`);
      }
      visit(j, [...path, i]);
    });
    state[i] = 2;
  };
  images.forEach((_, i) => state[i] === 0 && visit(i, []));
}

/** Builds `binaries:`; throws a ConfigError at the first bad item. */
export function buildBinaries(raw: RawConfig, defaults: Defaults, baseDir: string, loc: Locator): BinaryItem[] {
  const claimed = new Map<string, string>();
  return (raw.binaries ?? []).map((r: RawBinary, i) => {
    const at: PathSegment[] = ['binaries', i];
    const name = checkName(r.name, [...at, 'name'], loc);
    if (!/^[a-z0-9][\w.+-]*\/[\w.+-]+$/i.test(r.artifactType)) {
      throw loc.errorAt([...at, 'artifactType'], `${formatPath([...at, 'artifactType'])}: expected a media type like application/vnd.example.tool.v1`);
    }
    if (!r.files?.length && !r.urls?.length) throw loc.errorAtKey(at, `${formatPath(at)}: give files (globs for publish --dir) or urls, or both`);
    (r.urls ?? []).forEach((u, j) => checkUrl(u, [...at, 'urls', j], loc));
    const targets = itemTargets(r.targets, defaults.targets, at, loc);
    checkTagRules(r.tags, [...at, 'tags'], loc);
    claim(claimed, targets, name, at, 'name', loc);
    const item: BinaryItem = {
      name,
      artifactType: r.artifactType,
      files: r.files ?? [],
      urls: r.urls ?? [],
      targets,
      tags: mergeTagRules(raw.defaults?.tags, r.tags),
      hasTagRules: anyTagRule(raw.defaults?.tags, r.tags),
      position: loc.value(at),
    };
    if (r.checksums !== undefined) item.checksums = configPath(baseDir, r.checksums);
    if (r.source !== undefined) item.source = parseAt(() => parseNamespace(r.source!), [...at, 'source'], loc);
    return item;
  });
}

// A source must name its host: a bare "nginx" silently meaning Docker Hub is a trap in a release config.
function parseSource(text: string): RepositoryRef {
  const slash = text.indexOf('/');
  // Past a scheme: `http://localhost:5000/app` was said to carry a :tag (newuser hunt), its scheme
  // left unsaid; parseRepository says what to write for it.
  const bare = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (!text.startsWith('oci:') && bare.indexOf('/') > 0 && /[:@]/.test(bare.slice(bare.indexOf('/') + 1))) {
    throw new UnsupportedError(`"${text}": a source is a repository, without :tag or @digest (select tags with tags:)`);
  }
  const ref = parseRepository(text);
  const first = text.slice(0, Math.max(0, slash));
  // index.docker.io/library/x names its host too, though it is read as docker.io.
  if (ref.scheme === 'registry' && !(/[.:[]/.test(first) || first === 'localhost')) {
    throw new UnsupportedError(`"${text}": a source starts with its registry host (e.g. quay.io/jetstack/cert-manager-controller)`);
  }
  return ref;
}

function checkName(name: string, where: PathSegment[], loc: Locator): string {
  if (!isValidRepositoryPath(name)) {
    throw loc.errorAt(where, `${formatPath(where)}: invalid repository name "${name}" (lowercase letters, digits, separators . _ __ - and / between components)`);
  }
  return name;
}

function itemTargets(own: string[] | undefined, inherited: NamespaceRef[], at: PathSegment[], loc: Locator): NamespaceRef[] {
  const targets = own ? parseTargets(own, [...at, 'targets'], loc) : inherited;
  if (targets.length === 0) {
    const where = own ? [...at, 'targets'] : at;
    throw loc.errorAt(where, `${formatPath(at)}: no targets; list them here or in defaults.targets`);
  }
  return targets;
}

// Two items writing into one repository would fight over its tags.
function claim(claimed: Map<string, string>, targets: NamespaceRef[], name: string, at: PathSegment[], key: string, loc: Locator): void {
  for (const ns of targets) {
    const repo = formatRepository(parseAt(() => repositoryIn(ns, name), [...at, key], loc));
    const owner = claimed.get(repo);
    if (owner) throw loc.errorAt([...at, key], `${formatPath(at)} mirrors into ${repo}, which ${owner} already does; give one a different name or targets`);
    claimed.set(repo, formatPath(at));
  }
}

function checkUrl(text: string, where: PathSegment[], loc: Locator): void {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(text.replaceAll('{tag}', 'v0.0.0')).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw loc.errorAt(where, `${formatPath(where)}: expected an http(s) URL ({tag} is replaced by the release tag)`);
}
