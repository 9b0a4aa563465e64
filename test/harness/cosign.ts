// cosign's signature format made in the tests, without the cosign binary: the simple-signing
// payload (field order as cosign's Go structs marshal it), a signature over its bytes, and the
// `sha256-HEX.sig` image (or its OCI 1.1 referrer form) pushed with raw HTTP like every fixture.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { digestOf, pushBlob, pushManifest, type PushTarget } from './seed.js';

const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const ANNOTATION = 'dev.cosignproject.cosign/signature';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** A key pair and its public half as PEM (what `cosign.pub` holds). */
export interface TestKey { privateKey: KeyObject; publicKey: KeyObject; publicPem: string }

/** ECDSA P-256 (cosign's default), P-384, RSA or Ed25519. */
export function makeKey(kind: 'p256' | 'p384' | 'rsa' | 'ed25519'): TestKey {
  const pair =
    kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : kind === 'ed25519' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'prime256v1' : 'secp384r1' });
  return { ...pair, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** cosign's simple-signing payload for `digest`, as `cosign sign` writes it. */
export function simpleSigningPayload(digest: string, reference: string): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null }));
}

/** Base64 signature over `payload` (ASN.1 DER for ECDSA, PKCS#1 v1.5 for RSA, as cosign). */
export function signPayload(payload: Buffer, key: TestKey, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  return sign(key.privateKey.asymmetricKeyType === 'ed25519' ? null : hash, payload, key.privateKey).toString('base64');
}

/** Where the signature goes: cosign's tag scheme, or an OCI 1.1 referrer (+ the fallback tag index). */
export type SignatureForm = 'tag' | 'referrer';

/**
 * Pushes a signature of `subject` (digest, media type, size) to `repository`; returns the signature
 * manifest's digest. A referrer's index goes under the fallback tag, or `indexTag` (where a
 * referrers-API personality reads it from).
 */
export async function pushSignature(target: PushTarget, repository: string, subject: { digest: string; mediaType: string; size: number }, payload: Buffer, signature: string, form: SignatureForm = 'tag', indexTag?: string | null): Promise<string> {
  const layer = { mediaType: SIMPLE_SIGNING, size: payload.length, digest: digestOf(payload), annotations: { [ANNOTATION]: signature } };
  await pushBlob(target, repository, payload);
  const base = subject.digest.replace(':', '-');
  if (form === 'tag') {
    // cosign's config: an image config whose one diff_id is the payload's digest.
    const config = Buffer.from(JSON.stringify({ architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: [digestOf(payload)] }, config: {} }));
    await pushBlob(target, repository, config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: digestOf(config) }, layers: [layer] }));
    return pushManifest(target, repository, `${base}.sig`, manifest, OCI_MANIFEST);
  }
  const empty = Buffer.from('{}');
  await pushBlob(target, repository, empty);
  const artifactType = 'application/vnd.dev.cosign.artifact.sig.v1+json';
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', size: empty.length, digest: digestOf(empty) },
    layers: [layer], subject,
  }));
  const digest = await pushManifest(target, repository, digestOf(manifest), manifest, OCI_MANIFEST);
  await listReferrer(target, repository, base, { digest, size: manifest.length, artifactType }, indexTag);
  return digest;
}

// null: the registry has the referrers API (a personality), so no fallback tag is kept.
// docker-registry 2.8 has no referrers API: the fallback tag index is how clients find it.
async function listReferrer(target: PushTarget, repository: string, base: string, referrer: { digest: string; size: number; artifactType: string }, indexTag?: string | null): Promise<void> {
  if (indexTag === null) return;
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, ...referrer }] }));
  await pushManifest(target, repository, indexTag ?? base, index, OCI_INDEX);
}

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const IN_TOTO = 'application/vnd.in-toto+json';

/** The in-toto statement `cosign sign --new-bundle-format` signs: cosign's "sign" predicate over `digest`. */
export function signStatement(digest: string, predicateType = 'https://sigstore.dev/cosign/sign/v1'): Buffer {
  const [alg, hex] = digest.split(':');
  return Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { [alg!]: hex } }], predicateType, predicate: {} }));
}

/** A sigstore bundle v0.3 holding a DSSE envelope of `statement`, signed with `key` over DSSE's PAE (as cosign with a key, no tlog). */
export function signedBundle(statement: Buffer, key: TestKey, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Buffer {
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${IN_TOTO.length} ${IN_TOTO} ${statement.length} `), statement]);
  const sig = signPayload(pae, key, hash);
  return Buffer.from(JSON.stringify({
    mediaType: BUNDLE,
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    dsseEnvelope: { payload: statement.toString('base64'), payloadType: IN_TOTO, signatures: [{ sig, keyid: '' }] },
  }));
}

/** Pushes `bundle` as cosign's new-bundle-format referrer of `subject` (no .sig tag); returns its digest. */
export async function pushBundleReferrer(target: PushTarget, repository: string, subject: { digest: string; mediaType: string; size: number }, bundle: Buffer, indexTag?: string | null): Promise<string> {
  const empty = Buffer.from('{}');
  await pushBlob(target, repository, empty);
  await pushBlob(target, repository, bundle);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', size: empty.length, digest: digestOf(empty) },
    layers: [{ mediaType: BUNDLE, size: bundle.length, digest: digestOf(bundle) }],
    subject,
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
    artifactType: BUNDLE,
  }));
  const digest = await pushManifest(target, repository, digestOf(manifest), manifest, OCI_MANIFEST);
  await listReferrer(target, repository, subject.digest.replace(':', '-'), { digest, size: manifest.length, artifactType: BUNDLE }, indexTag);
  return digest;
}
