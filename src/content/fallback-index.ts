// The OCI 1.1 referrers fallback tag `sha256-HEX` (distribution spec "Pushing manifests with
// subject"): at a registry without the referrers API, the client that pushes a referrer keeps an
// image index of the subject's referrers under that tag. What to list and the bytes to write are
// pure; the two reads sync and verify share (is there an API, what the tag holds) are here too.
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError } from '../types/errors.js';
import { OCI_INDEX, parseManifest } from '../types/mediatype.js';
import { canListReferrers, type CallOptions, type ManifestContent, type Repository } from './storage.js';

/** Whether `repo` has no referrers API: a layout, or a registry whose probe found none (then cached per host). */
export async function lacksReferrersApi(repo: Repository, subject: Descriptor, opts: CallOptions = {}): Promise<boolean> {
  if (!canListReferrers(repo)) return true;
  return (await repo.referrers(subject, opts)) === undefined;
}

/**
 * The bytes at `tag` in `repo`, or undefined when it has none. `known` is the repository's tag list
 * read at the start of the run: a tag it lacks is not asked for (the usual case: no tag yet).
 */
export async function fallbackTagBytes(repo: Repository, tag: string, known: Set<string> | undefined, opts: CallOptions = {}): Promise<Uint8Array | undefined> {
  if (known && !known.has(tag)) return undefined;
  return repo.fetchManifest(tag, opts).then(
    (m) => m.bytes,
    (err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    },
  );
}

/** The fallback tag that lists the referrers of `subject` (`sha256:HEX` → `sha256-HEX`). */
export function fallbackTagOf(subject: string): string {
  return subject.replace(':', '-');
}

/**
 * A referrer as the referrers API lists it: its own media type, digest and size, its
 * `artifactType` (else its config's media type) and its annotations, taken from the manifest
 * itself so that every run (and every source) describes it with the same bytes.
 */
export function referrerDescriptor(content: ManifestContent): Descriptor {
  const { digest, size } = content.descriptor;
  let parsed;
  try {
    parsed = parseManifest(content.bytes, content.descriptor.mediaType);
  } catch {
    return { mediaType: content.descriptor.mediaType, digest, size };
  }
  const out: Descriptor = { mediaType: parsed.mediaType, digest, size };
  const artifactType = parsed.artifactType ?? (parsed.manifests.length === 0 ? parsed.blobs[0]?.mediaType : undefined);
  if (artifactType) out.artifactType = artifactType;
  if (parsed.annotations && Object.keys(parsed.annotations).length > 0) out.annotations = parsed.annotations;
  return out;
}

/** What to do with the fallback tag: write these bytes, leave it (it lists them all), or not ours to touch. */
export type FallbackPlan = { kind: 'write'; bytes: Uint8Array } | { kind: 'current' } | { kind: 'foreign'; why: string };

/**
 * The fallback index for `add` given `existing` (the tag's bytes at the target, if any). Entries
 * already there keep their place and fields (someone else may have put them there; a repeated
 * digest is kept once); new ones follow in digest order, so the same inputs give the same bytes
 * every time and a re-run writes nothing. A tag that holds anything but an OCI index is left alone.
 */
export function planFallbackIndex(existing: Uint8Array | undefined, add: Descriptor[]): FallbackPlan {
  const doc = existing === undefined ? { manifests: [] } : existingIndex(existing);
  if (typeof doc === 'string') return { kind: 'foreign', why: doc };
  const listed = new Set(doc.manifests.flatMap((d) => (hasDigest(d) ? [d.digest] : [])));
  const fresh: Descriptor[] = [];
  for (const d of [...add].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))) {
    if (listed.has(d.digest)) continue;
    listed.add(d.digest);
    fresh.push(d);
  }
  if (fresh.length === 0) return { kind: 'current' };
  const seen = new Set<string>();
  const kept = doc.manifests.filter((d) => !hasDigest(d) || (!seen.has(d.digest) && Boolean(seen.add(d.digest))));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, ...doc, manifests: [...kept, ...fresh] }));
  return { kind: 'write', bytes };
}

/** Digests an index's bytes list ([] when they are not an index). */
export function listedDigests(bytes: Uint8Array | undefined): string[] {
  const doc = bytes === undefined ? 'absent' : existingIndex(bytes);
  return typeof doc === 'string' ? [] : doc.manifests.flatMap((d) => (hasDigest(d) ? [d.digest] : []));
}

function hasDigest(d: unknown): d is Descriptor {
  return typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string';
}

// The index at the tag with its fields as they are, or why it is no list of referrers.
function existingIndex(bytes: Uint8Array): { [field: string]: unknown; manifests: unknown[] } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'bytes that are not JSON';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'JSON that is not an object';
  const raw = doc as Record<string, unknown>;
  if (raw.mediaType !== undefined && raw.mediaType !== OCI_INDEX) return `a ${String(raw.mediaType)} manifest, not an OCI image index`;
  if (!Array.isArray(raw.manifests)) return 'an object without a "manifests" list';
  return { ...raw, manifests: raw.manifests as unknown[] };
}
