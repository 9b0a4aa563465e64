// `gateway:` → GatewaySettings: served paths checked against the images: items, backends put in
// preference order (the item's targets, reordered by gateway.backends, then its source).
import { formatRepository, isValidRepositoryPath, repositoryIn, type NamespaceRef, type RepositoryRef } from '../types/reference.js';
import type { BinaryItem, GatewayImage, GatewaySettings, ImageItem } from './model.js';
import type { RawGateway } from './raw.js';
import { formatPath, type Locator, type PathSegment } from './positions.js';
import { formatNamespace, parseTargets } from './rules.js';
import { closest } from './nearest.js';
import { configPath } from './paths.js';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { bracketHint, parseListenAddress } from '../types/host.js';

/**
 * Seconds the gateway keeps serving after SIGTERM (gateway.shutdownDelay). Kubernetes sends it
 * while the pod's endpoints are still being removed from Services and load balancers, and new
 * connections arrive for a few seconds more: closing the listener at once refused them. 5 s, as
 * Istio's terminationDrainDuration; with the 30 s grace after it, within a pod's 40 s.
 */
export const DEFAULT_SHUTDOWN_DELAY = 5;

/** Builds the gateway section; throws a ConfigError at the first bad key. */
export function buildGateway(raw: RawGateway, images: ImageItem[], binaries: BinaryItem[], baseDir: string, loc: Locator): GatewaySettings {
  const at: PathSegment[] = ['gateway'];
  const preferred = parseTargets(raw.backends ?? [], [...at, 'backends'], loc).map(formatNamespace);
  const order = (item: { targets: NamespaceRef[]; name: string }, source?: RepositoryRef) => backendsOf(item, preferred, source);
  const served = raw.images
    ? raw.images.map((r, i) => {
      const where = [...at, 'images', i];
      if (!isValidRepositoryPath(r.path)) throw loc.errorAt([...where, 'path'], `${formatPath([...where, 'path'])}: invalid repository path "${r.path}"`);
      const item = images.find((it) => it.sourceText === r.source);
      if (!item) throw loc.errorAt([...where, 'source'], `${formatPath([...where, 'source'])}: "${r.source}" is not the source of any images: item`);
      return { path: r.path, item, backends: order(item, item.source) };
    })
    : images.map((item) => ({ path: item.name, item, backends: order(item, item.source) }));
  checkUnique(served, at, loc);
  const chosen = raw.binaries
    ? raw.binaries.map((name, i) => {
      const item = binaries.find((b) => b.name === name);
      if (!item) throw loc.errorAt([...at, 'binaries', i], `gateway.binaries[${i}]: "${name}" is not the name of any binaries: item`);
      return item;
    })
    : binaries;
  checkPreferred(preferred, [...served.map((s) => s.item), ...chosen], [...at, 'backends'], loc);
  return {
    listen: parseListen(raw.listen ?? '0.0.0.0:8080', [...at, 'listen'], loc),
    ...(raw.host !== undefined ? { host: raw.host } : {}),
    images: served,
    binaries: chosen.map((item) => ({ item, backends: order(item, item.source ? repositoryIn(item.source, item.name) : undefined) })),
    events: raw.events === undefined || raw.events === '-' ? '-' : eventsPath(configPath(baseDir, raw.events), [...at, 'events'], loc),
    healthInterval: raw.healthInterval ?? 5,
    shutdownDelay: raw.shutdownDelay ?? DEFAULT_SHUTDOWN_DELAY,
    position: loc.key(at),
  };
}

// A file in a directory that does not exist (or a directory given as the file) was opened only at
// the first request, after 'listening on …': an internal error, exit 1, in a gateway that had
// started (newuser2 hunt). Said before it listens, as every gateway mistake is.
function eventsPath(file: string, at: PathSegment[], loc: Locator): string {
  const dir = dirname(file);
  const problem = !existsSync(dir) ? `no such directory ${dir} for the events file: create it, or write "-" for standard output`
    : !statSync(dir).isDirectory() ? `${dir} is not a directory: give a file in a directory, or "-" for standard output`
      : existsSync(file) && statSync(file).isDirectory() ? `${file} is a directory: name a file in it (events.ndjson), or "-" for standard output` : undefined;
  if (problem) throw loc.errorAt(at, `${formatPath(at)}: ${problem}`);
  return file;
}

/** Registry targets in preference order (listed namespaces first, in that order), then the source. */
export function backendsOf(item: { targets: NamespaceRef[]; name: string }, preferred: string[], source?: RepositoryRef): RepositoryRef[] {
  const rank = (ns: NamespaceRef) => {
    const i = preferred.indexOf(formatNamespace(ns));
    return i < 0 ? preferred.length : i;
  };
  const targets = item.targets
    .map((ns, i) => ({ ns, i }))
    .filter(({ ns }) => ns.scheme === 'registry')
    .sort((a, b) => rank(a.ns) - rank(b.ns) || a.i - b.i)
    .map(({ ns }) => repositoryIn(ns, item.name));
  const all = source && source.scheme === 'registry' ? [...targets, source] : targets;
  const seen = new Set<string>();
  return all.filter((r) => !seen.has(formatRepository(r)) && seen.add(formatRepository(r)));
}

/**
 * A `backends` entry that is no served item's target would change nothing: a typo in it
 * (ghcr.io/cert-manger) used to be ignored in silence, and the preference order stayed as it was.
 */
function checkPreferred(preferred: string[], items: { targets: NamespaceRef[] }[], at: PathSegment[], loc: Locator): void {
  const targets = [...new Set(items.flatMap((it) => it.targets.filter((ns) => ns.scheme === 'registry').map(formatNamespace)))];
  preferred.forEach((ns, i) => {
    if (targets.includes(ns)) return;
    const near = closest(ns, targets);
    throw loc.errorAt([...at, i], `${formatPath([...at, i])}: "${ns}" is not a target of any served item; ${near ? `did you mean "${near}"?` : `targets: ${targets.join(', ')}`}`);
  });
}

function checkUnique(served: GatewayImage[], at: PathSegment[], loc: Locator): void {
  const seen = new Set<string>();
  served.forEach((s, i) => {
    if (seen.has(s.path)) throw loc.errorAt([...at, 'images', i, 'path'], `gateway.images[${i}].path: "${s.path}" is served twice`);
    seen.add(s.path);
  });
}

function parseListen(text: string, where: PathSegment[], loc: Locator): { host: string; port: number } {
  const address = parseListenAddress(text);
  if (!address) throw loc.errorAt(where, `${formatPath(where)}: expected host:port, e.g. 0.0.0.0:8080 or [::]:8080${bracketHint(text)}`);
  return address;
}
