// Manifests through the gateway: by digest from the cache or the first backend that has it; by
// tag from the first backend whose digest for that tag is the recorded one (the lock, else what
// the source says now). A backend that disagrees is drift: skipped for that tag, and counted.
import type { GatewayImage } from '../config/model.js';
import type { LockFile } from '../lock/file.js';
import { isDigest } from '../types/digest.js';
import { NotFoundError, RegmirrorError } from '../types/errors.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import { formatRepository } from '../types/reference.js';
import { backendName, type Backend, type BackendPool } from './backends.js';
import { absentEverywhere } from './backend-failures.js';
import type { CachedManifest, ManifestCache, TagCache } from './cache.js';

/** A manifest answer and where it came from. */
export interface ManifestAnswer {
  manifest: CachedManifest;
  backend: string;
  cache?: 'hit' | 'stale';
  /** Child digests when it is an index (for pull attribution). */
  children?: string[];
}

/** What every backend that has a tag holds instead of its recorded digest. */
export interface DriftEverywhere { expected: string; found: { backend: string; digest: string }[] }

/**
 * Why no manifest could be served: not anywhere (404), or no backend answered (503). `drift`: the
 * tag is there, at another digest than the record, wherever it is (told as that, not as unknown).
 */
export class NoManifest extends RegmirrorError {
  constructor(readonly status: 404 | 503, message: string, readonly drift?: DriftEverywhere) {
    super(message);
  }
}

/** A tag the source says does not exist and nothing records: unpublished, whichever mirror has it. */
export class Unpublished extends NoManifest {
  constructor(image: string, tag: string) {
    super(404, `${image}:${tag}: not at the source and not recorded`);
  }
}

/** What the manifest path needs from the gateway. */
export interface ManifestDeps {
  pool: BackendPool;
  manifests: ManifestCache;
  tags: TagCache;
  /** The source's answers, when there is no lock entry (short-lived too). */
  recorded: TagCache;
  lock: LockFile;
  now(): number;
  onDrift(image: string, tag: string, backend: string): void;
}

/** Serves `reference` of `image`. */
export async function serveManifest(deps: ManifestDeps, image: GatewayImage, reference: string): Promise<ManifestAnswer> {
  const backends = deps.pool.backends(image.backends);
  if (isDigest(reference)) {
    const hit = deps.manifests.get(reference);
    if (hit) return withChildren({ manifest: hit, backend: 'cache', cache: 'hit' });
    return withChildren(await fetchFirst(deps, backends, reference, image.path));
  }
  const key = `${image.path}:${reference}`;
  const fresh = deps.tags.fresh(key, deps.now());
  const cached = fresh && deps.manifests.get(fresh.digest);
  if (cached) return withChildren({ manifest: cached, backend: 'cache', cache: 'hit' });
  const expected = await recordedDigest(deps, image, reference, backends);
  try {
    const answer = await fetchFirst(deps, backends, reference, image.path, expected, (b) => deps.onDrift(image.path, reference, b.host));
    deps.tags.put(key, { digest: answer.manifest.digest, backend: answer.backend, at: deps.now() });
    return withChildren(answer);
  } catch (e) {
    const stale = deps.tags.stale(key);
    const old = stale && deps.manifests.get(stale.digest);
    if (e instanceof NoManifest && e.status === 503 && old && (!expected || old.digest === expected)) {
      return withChildren({ manifest: old, backend: stale.backend, cache: 'stale' });
    }
    throw e;
  }
}

/** The digest regmirror recorded for the tag: the lock's, else the source's now (cached briefly). */
async function recordedDigest(deps: ManifestDeps, image: GatewayImage, tag: string, backends: Backend[]): Promise<string | undefined> {
  const locked = deps.lock.images[image.item.sourceText]?.[tag]?.digest;
  if (locked) return locked;
  const key = formatRepository(image.item.source) + ':' + tag;
  const known = deps.recorded.fresh(key, deps.now());
  if (known) return known.digest;
  const source = backends.find((b) => formatRepository(b.ref) === formatRepository(image.item.source));
  if (!source) return undefined;
  const said = await deps.pool.first([source], (b, signal) => b.repo.resolve(tag, { signal }));
  // The source saying the tag does not exist is an answer: a tag only a mirror has is unrecorded content.
  if (!said.ok && said.errors.length > 0 && said.errors.every((e) => e instanceof NotFoundError)) {
    throw new Unpublished(image.path, tag);
  }
  if (!said.ok) return undefined; // the source is down: the first backend's answer stands
  deps.recorded.put(key, { digest: said.value.digest, backend: source.host, at: deps.now() });
  return said.value.digest;
}

async function fetchFirst(deps: ManifestDeps, backends: Backend[], reference: string, image: string, expected?: string, drift?: (b: Backend) => void): Promise<ManifestAnswer> {
  const result = await deps.pool.first(backends, async (b, signal) => {
    const m = await b.repo.fetchManifest(reference, { signal });
    if (expected && m.descriptor.digest !== expected) {
      drift?.(b);
      throw new DriftError(backendName(b), m.descriptor.digest, `${b.host}: ${image}:${reference} is ${m.descriptor.digest}, not the recorded ${expected}`);
    }
    return { bytes: m.bytes, mediaType: m.descriptor.mediaType, digest: m.descriptor.digest };
  });
  if (result.ok) {
    deps.manifests.put(result.value);
    return { manifest: result.value, backend: result.backend.host };
  }
  const everywhereMissing = absentEverywhere(result.errors, (e) => e instanceof DriftError);
  const drifted = result.errors.filter((e): e is DriftError => e instanceof DriftError);
  const elsewhere = everywhereMissing && expected && drifted.length > 0 ? { expected, found: drifted.map((d) => ({ backend: d.backend, digest: d.found })) } : undefined;
  throw new NoManifest(everywhereMissing ? 404 : 503, `${image}:${reference}: ${everywhereMissing ? 'not found on any backend' : 'no backend answered'}`, elsewhere);
}

/** A backend (`host/repository`) whose tag points elsewhere (`found`) than the record. */
export class DriftError extends RegmirrorError {
  constructor(readonly backend: string, readonly found: string, message: string) {
    super(message);
  }
}

function withChildren(a: ManifestAnswer): ManifestAnswer {
  if (!isIndexType(a.manifest.mediaType)) return a;
  try {
    return { ...a, children: parseManifest(a.manifest.bytes, a.manifest.mediaType).manifests.map((d) => d.digest) };
  } catch {
    return a;
  }
}
