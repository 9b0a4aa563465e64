// cosign's newer signature form (`cosign sign --new-bundle-format`, the default of later cosign):
// an OCI 1.1 referrer whose one layer is a sigstore bundle (v0.3) holding a DSSE envelope; the
// envelope's payload is an in-toto statement whose subject is the image digest and whose
// predicateType is cosign's "sign" predicate. Pure: bytes in, signature candidates out.
import type { SignatureCandidate } from './verdict.js';

/** The bundle's media type: the referrer's artifactType and its layer's mediaType. */
export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The statement's predicateType when the bundle is an image signature (not an attestation). */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const IN_TOTO = 'application/vnd.in-toto+json';

interface Envelope { payload?: unknown; payloadType?: unknown; signatures?: { sig?: unknown }[] }

/**
 * The DSSE signatures of a bundle, each a candidate over the envelope's pre-authentication
 * encoding; none when the bytes are no bundle or carry no DSSE envelope of an in-toto statement
 * (a message signature signs a blob, not an image).
 */
export function bundleCandidates(bytes: Uint8Array, where: string): SignatureCandidate[] {
  let bundle: { dsseEnvelope?: Envelope; verificationMaterial?: Record<string, unknown> };
  try {
    bundle = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof bundle;
  } catch {
    return [];
  }
  const envelope = bundle.dsseEnvelope;
  // A key's bundle names it by publicKey; a keyless one carries its Fulcio certificate (or chain).
  const keyless = bundle.verificationMaterial?.certificate !== undefined || bundle.verificationMaterial?.x509CertificateChain !== undefined;
  if (typeof envelope?.payload !== 'string' || envelope.payloadType !== IN_TOTO || !Array.isArray(envelope.signatures)) return [];
  const statement = Buffer.from(envelope.payload, 'base64');
  const signed = preAuthEncoding(IN_TOTO, statement);
  return envelope.signatures.filter((s) => typeof s.sig === 'string').map((s) => ({ payload: signed, signature: s.sig as string, where, statement, keyless }));
}

/** DSSE's PAE: what a DSSE signature is made over ("DSSEv1 LEN TYPE LEN BODY", lengths in ASCII decimal bytes). */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/**
 * The image digests a cosign "sign" statement names (`sha256:HEX` for each subject's sha256), or
 * undefined when the statement is not one (an attestation's predicate, or no statement at all).
 */
export function statementDigests(statement: Uint8Array): string[] | undefined {
  try {
    const doc = JSON.parse(Buffer.from(statement).toString('utf8')) as { predicateType?: unknown; subject?: { digest?: Record<string, unknown> }[] };
    if (doc.predicateType !== COSIGN_SIGN_PREDICATE || !Array.isArray(doc.subject)) return undefined;
    return doc.subject.flatMap((s) => Object.entries(s.digest ?? {}).filter(([, hex]) => typeof hex === 'string').map(([alg, hex]) => `${alg}:${hex as string}`));
  } catch {
    return undefined;
  }
}
