// Finding a digest's cosign signatures in a repository (I/O at the edge of the signature check):
// the tag scheme `sha256-HEX.sig`, and the OCI 1.1 referrer form (referrers API, or the
// `sha256-HEX` fallback tag index when the registry has no API).
import { createHash } from 'node:crypto';
import { canListReferrers, type Repository } from '../content/storage.js';
import { readCapped } from '../content/read.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError } from '../types/errors.js';
import { isImageManifestType, parseManifest } from '../types/mediatype.js';
import type { SignatureCandidate } from './verdict.js';

/** cosign's simple-signing payload layer type. */
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation holding the base64 signature. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** artifactType cosign gives a signature pushed as an OCI 1.1 referrer. */
export const COSIGN_SIGNATURE_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';

const MAX_PAYLOAD_BYTES = 1024 * 1024;
const SIGNATURE_TYPES = new Set([SIMPLE_SIGNING, COSIGN_SIGNATURE_ARTIFACT]);

/** Every cosign signature `repo` holds for `subject`; `tags` (the repository's tag list) saves requests for absent tags. */
export async function collectSignatures(repo: Repository, tags: Set<string> | undefined, subject: Descriptor, signal?: AbortSignal): Promise<SignatureCandidate[]> {
  const base = subject.digest.replace(':', '-');
  const manifests: { ref: string; where: string }[] = [];
  if (!tags || tags.has(`${base}.sig`)) manifests.push({ ref: `${base}.sig`, where: `${base}.sig` });
  for (const d of await signatureReferrers(repo, tags, subject, signal)) manifests.push({ ref: d.digest, where: `referrer ${d.digest}` });
  const found = await Promise.all(manifests.map((m) => candidatesIn(repo, m.ref, m.where, signal)));
  return found.flat();
}

// Referrers whose artifactType says "cosign signature" (or says nothing: their layers decide).
async function signatureReferrers(repo: Repository, tags: Set<string> | undefined, subject: Descriptor, signal?: AbortSignal): Promise<Descriptor[]> {
  let list = canListReferrers(repo) ? await repo.referrers(subject, { signal }) : undefined;
  if (list === undefined) {
    const fallback = subject.digest.replace(':', '-');
    if (tags && !tags.has(fallback)) return [];
    const index = await repo.fetchManifest(fallback, { signal }).catch(notFoundAs(undefined));
    list = index ? parseManifest(index.bytes, index.descriptor.mediaType).manifests : [];
  }
  return list.filter((d) => isImageManifestType(d.mediaType) && (d.artifactType === undefined || SIGNATURE_TYPES.has(d.artifactType)));
}

async function candidatesIn(repo: Repository, ref: string, where: string, signal?: AbortSignal): Promise<SignatureCandidate[]> {
  const manifest = await repo.fetchManifest(ref, { signal }).catch(notFoundAs(undefined));
  if (!manifest) return [];
  const parsed = parseManifest(manifest.bytes, manifest.descriptor.mediaType);
  const layers = parsed.blobs.slice(1).filter((l) => l.mediaType === SIMPLE_SIGNING && typeof l.annotations?.[SIGNATURE_ANNOTATION] === 'string');
  return Promise.all(
    layers.map(async (layer) => {
      const payload = await readCapped(await repo.fetchBlob(layer, { signal }), MAX_PAYLOAD_BYTES, `signature payload ${layer.digest}`);
      // A payload that is not the layer it claims to be is tampered: its signature will not verify over it.
      const hex = layer.digest.startsWith('sha256:') ? createHash('sha256').update(payload).digest('hex') : undefined;
      const intact = hex === undefined || `sha256:${hex}` === layer.digest;
      return { payload: intact ? payload : Buffer.alloc(0), signature: layer.annotations![SIGNATURE_ANNOTATION]!, where };
    }),
  );
}

function notFoundAs<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof NotFoundError) return value;
    throw err;
  };
}
