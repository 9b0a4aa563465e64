// Finding a digest's cosign signatures in a repository (I/O at the edge of the signature check):
// the tag scheme `sha256-HEX.sig`, and the OCI 1.1 referrer forms, a .sig as a referrer or a
// sigstore bundle (referrers API, or the `sha256-HEX` fallback tag index when the registry has no API).
import { createHash } from 'node:crypto';
import { canListReferrers, type Repository } from '../content/storage.js';
import { readCapped } from '../content/read.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError } from '../types/errors.js';
import { isImageManifestType, parseManifest, parseNamedManifest } from '../types/mediatype.js';
import { bundleCandidates, SIGSTORE_BUNDLE } from './bundle.js';
import type { SignatureCandidate } from './verdict.js';

/** cosign's simple-signing payload layer type. */
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation holding the base64 signature. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** The layer annotation of a keyless signature's Fulcio certificate. */
const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** artifactType cosign gives a signature pushed as an OCI 1.1 referrer. */
export const COSIGN_SIGNATURE_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';

const MAX_PAYLOAD_BYTES = 1024 * 1024;
// A sigstore bundle may be an attestation as well as a signature: its statement tells (bundle.ts).
const SIGNATURE_TYPES = new Set([SIMPLE_SIGNING, COSIGN_SIGNATURE_ARTIFACT, SIGSTORE_BUNDLE]);

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
  // Named: the gate's row is about the image, not the signature manifest the flaw is in.
  const parsed = parseNamedManifest(manifest.bytes, manifest.descriptor.mediaType, where);
  const simple = parsed.blobs.slice(1).filter((l) => l.mediaType === SIMPLE_SIGNING && typeof l.annotations?.[SIGNATURE_ANNOTATION] === 'string');
  const bundles = parsed.blobs.slice(1).filter((l) => l.mediaType === SIGSTORE_BUNDLE);
  const found = await Promise.all([
    ...simple.map(async (layer) => {
      const payload = await provenLayer(repo, layer, signal);
      return [{ payload: payload ?? Buffer.alloc(0), signature: layer.annotations![SIGNATURE_ANNOTATION]!, where, keyless: CERTIFICATE_ANNOTATION in layer.annotations! }];
    }),
    ...bundles.map(async (layer) => {
      const bytes = await provenLayer(repo, layer, signal);
      return bytes ? bundleCandidates(bytes, where) : [{ payload: Buffer.alloc(0), signature: '', where }];
    }),
  ]);
  return found.flat();
}

// A signature layer's bytes, or undefined when they are not the layer they claim to be: tampered,
// so no signature will verify over them.
async function provenLayer(repo: Repository, layer: Descriptor, signal?: AbortSignal): Promise<Buffer | undefined> {
  const bytes = await readCapped(await repo.fetchBlob(layer, { signal }), MAX_PAYLOAD_BYTES, `signature payload ${layer.digest}`);
  const hex = layer.digest.startsWith('sha256:') ? createHash('sha256').update(bytes).digest('hex') : undefined;
  return hex === undefined || `sha256:${hex}` === layer.digest ? bytes : undefined;
}

function notFoundAs<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof NotFoundError) return value;
    throw err;
  };
}
