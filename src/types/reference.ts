// Image references per the distribution spec's grammar (spec.md "Pulling manifests") and
// `oci:DIR` layout locations; parsed once here, validated strictly, printed the same way back.
import { UnsupportedError } from './errors.js';
import { parseDigest } from './digest.js';
import { bracketHint, DOCKER_HUB } from './host.js';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

/** A repository on a registry, or one OCI layout directory. */
export type RepositoryRef =
  | { scheme: 'registry'; registry: string; repository: string }
  | { scheme: 'oci'; dir: string };

/** A namespace that repositories live under: `quay.io/cert-manager` or `oci:./mirror`. */
export type NamespaceRef =
  | { scheme: 'registry'; registry: string; path: string }
  | { scheme: 'oci'; dir: string };

/** A repository plus the tag or digest asked for. */
export interface ImageRef {
  repo: RepositoryRef;
  tag?: string;
  digest?: string;
}

/** True for names valid as a repository path (`jetstack/cert-manager-controller`). */
export function isValidRepositoryPath(path: string): boolean {
  return path.length <= 255 && REPOSITORY_PATH.test(path);
}

/** True for tags in the OCI grammar. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** True for `host`, `host:port`, `[::1]:port`. */
export function isValidHost(host: string): boolean {
  const port = /:(\d+)$/.exec(host)?.[1];
  return HOST.test(host) && (port === undefined || Number(port) <= 65535);
}

// The names Docker Hub goes by in image references (docker's normalisation folds both into docker.io).
const DOCKER_HUB_NAMES = new Set([DOCKER_HUB, 'index.docker.io']);

/** Splits "host/path" where the first component is a host (has ".", ":" or is localhost). */
function splitHost(s: string): { registry: string; path: string } {
  const slash = s.indexOf('/');
  const first = slash < 0 ? s : s.slice(0, slash);
  if (slash > 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    const path = s.slice(slash + 1);
    // Docker Hub by name: `docker.io/nginx` is `docker.io/library/nginx`, as docker and skopeo read it.
    if (DOCKER_HUB_NAMES.has(first.toLowerCase())) return { registry: DOCKER_HUB, path: path.includes('/') ? path : `library/${path}` };
    return { registry: first, path };
  }
  // Docker Hub's implied host, as docker, skopeo and crane read a bare name.
  return { registry: DOCKER_HUB, path: slash < 0 ? `library/${s}` : s };
}

/** Parses `host/ns/name` or `oci:DIR` as a repository; throws UnsupportedError with why. */
export function parseRepository(s: string): RepositoryRef {
  if (s.startsWith('oci:')) {
    const dir = s.slice(4);
    if (!dir) throw new UnsupportedError(`"${s}": oci: needs a directory`);
    return { scheme: 'oci', dir };
  }
  noScheme(s);
  const { registry, path } = splitHost(s);
  if (!isValidHost(registry)) throw new UnsupportedError(`"${s}": invalid registry host "${registry}"${bracketHint(registry, s)}`);
  lowerCaseHost(s, registry);
  if (path.endsWith('/')) throw new UnsupportedError(`"${s}": remove the trailing /; write "${s.replace(/\/+$/, '')}"`);
  if (!isValidRepositoryPath(path)) {
    throw new UnsupportedError(`"${s}": invalid repository name "${path}" (lowercase letters, digits, separators . _ __ - and /)`);
  }
  return { scheme: 'registry', registry, repository: path };
}

/** Parses a namespace (`quay.io/cert-manager`, `127.0.0.1:5000`, `oci:./out`). */
export function parseNamespace(s: string): NamespaceRef {
  if (s.startsWith('oci:')) return { scheme: 'oci', dir: parseRepository(s).scheme === 'oci' ? s.slice(4) : '' };
  noScheme(s);
  const slash = s.indexOf('/');
  const registry = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash + 1);
  if (!isValidHost(registry) || !(registry.includes('.') || registry.includes(':') || registry === 'localhost')) {
    throw new UnsupportedError(`"${s}": a target namespace starts with a registry host (e.g. quay.io/cert-manager)${bracketHint(registry, s)}`);
  }
  lowerCaseHost(s, registry);
  if (path.endsWith('/')) throw new UnsupportedError(`"${s}": remove the trailing /; write "${s.replace(/\/+$/, '')}"`);
  if (path && !isValidRepositoryPath(path)) throw new UnsupportedError(`"${s}": invalid namespace path "${path}" (lowercase letters, digits, separators . _ __ - and /)`);
  return { scheme: 'registry', registry, path };
}

// `https://quay.io/jetstack/x` is a URL, not a reference: say what to write rather than "invalid host https:".
function noScheme(s: string): void {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(s);
  if (m) throw new UnsupportedError(`"${s}": a reference has no ${m[1]}:// scheme; write "${m[2]!.replace(/\/+$/, '')}" (plain HTTP or TLS is set per host under registries:)`);
}

/** The message for a host written with capitals, or undefined: `registries:` keys, credentials and --endpoint match hosts as written. */
export function upperCaseHostProblem(host: string): string | undefined {
  if (host.startsWith('[') || host === host.toLowerCase()) return undefined;
  return `registry host "${host}" has capitals: write "${host.toLowerCase()}" (registries: settings and credentials are looked up by the lower-case name)`;
}

function lowerCaseHost(s: string, host: string): void {
  const problem = upperCaseHostProblem(host);
  if (problem) throw new UnsupportedError(`"${s}": ${problem}`);
}

/** The repository `name` under a namespace. */
export function repositoryIn(ns: NamespaceRef, name: string): RepositoryRef {
  if (ns.scheme === 'oci') return { scheme: 'oci', dir: `${ns.dir.replace(/\/+$/, '')}/${name}` };
  const repository = ns.path ? `${ns.path}/${name}` : name;
  if (!isValidRepositoryPath(repository)) throw new UnsupportedError(`invalid repository name "${repository}"`);
  return { scheme: 'registry', registry: ns.registry, repository };
}

/** Parses `repo[:tag][@digest]`. */
export function parseImage(s: string): ImageRef {
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    parseDigest(digest);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  const isLayoutPrefix = rest.startsWith('oci:') && colon === 3;
  if (colon > rest.lastIndexOf('/') && !isLayoutPrefix) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new UnsupportedError(`"${s}": invalid tag "${tag}"`);
  }
  const out: ImageRef = { repo: parseRepository(rest) };
  if (tag) out.tag = tag;
  if (digest) out.digest = digest;
  return out;
}

/** Prints a repository as users write it: `quay.io/jetstack/x` or `oci:DIR`. */
export function formatRepository(r: RepositoryRef): string {
  return r.scheme === 'oci' ? `oci:${r.dir}` : `${r.registry}/${r.repository}`;
}

/** Last path component: the default mirrored name of a source. */
export function basename(r: RepositoryRef): string {
  const path = r.scheme === 'oci' ? r.dir.replace(/\/+$/, '') : r.repository;
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Tags cosign and the OCI 1.1 fallback use for content attached to a digest. */
export const REFERRER_TAG = /^(sha256|sha512)-([a-f0-9]{64}|[a-f0-9]{128})(?:\.(sig|att|sbom))?$/;

/** The subject digest a referrer tag belongs to, or undefined for ordinary tags. */
export function referrerTagSubject(tag: string): string | undefined {
  const m = REFERRER_TAG.exec(tag);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The cosign / fallback tags that may hang off `digest`. */
export function referrerTagsFor(digest: string): string[] {
  const base = digest.replace(':', '-');
  return [`${base}.sig`, `${base}.att`, `${base}.sbom`, base];
}
