// The signature check as a pure function (SPEC "signatures"): cosign simple-signing payloads (or
// sigstore bundles' DSSE statements) and their base64 signatures, the configured public keys and the digest about to be copied in; a
// verdict out. No network, no files: fetching the candidates is fetch.ts's job.
import { verify, type KeyObject } from 'node:crypto';
import { COSIGN_SIGN_PREDICATE, statementDigests } from './bundle.js';

/** Why a tag is refused (SPEC: the `refused` action's detail). */
export type Refusal = 'unsigned' | 'bad-signature' | 'wrong-digest' | 'wrong-algorithm';

/** One cosign signature found for a digest: the bytes it signs and its base64 signature. */
export interface SignatureCandidate {
  /** The signed bytes: a simple-signing payload layer, or a DSSE envelope's PAE (bundle.ts). */
  payload: Uint8Array;
  /** Base64 of the signature (the `dev.cosignproject.cosign/signature` annotation, or the envelope's sig). */
  signature: string;
  /** Where it was found, for messages: `sha256-HEX.sig` or `referrer sha256:…`. */
  where: string;
  /** A sigstore bundle's in-toto statement, which names the digest in place of a simple-signing payload. */
  statement?: Uint8Array;
  /** Keyless (it carries a Fulcio certificate): signed by a short-lived key no `signatures.keys` entry can be. */
  keyless?: boolean;
}

/** Accepted (with the docker-reference the signer named, reported not required), or refused with a one-line why. */
export type Verdict = { ok: true; reference: string; where: string } | { ok: false; reason: Refusal; detail: string };

/** The hash the signatures were made over (`signatures.algorithm`). */
export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

const HASHES = ['sha256', 'sha384', 'sha512'] as const;
// A signature of another image outranks a key mismatch: it is the more telling reason.
const RANK: Record<Refusal, number> = { unsigned: 0, 'bad-signature': 1, 'wrong-algorithm': 2, 'wrong-digest': 3 };

/** The best verdict over every candidate: accepted if any one is, else the most telling refusal. */
export function judgeSignatures(candidates: SignatureCandidate[], keys: KeyObject[], algorithm: SignatureHash, expected: string): Verdict {
  if (candidates.length === 0) return { ok: false, reason: 'unsigned', detail: `unsigned: no cosign signature of ${expected} (no ${expected.replace(':', '-')}.sig tag, no signature referrer)` };
  let worst: Verdict | undefined;
  for (const c of candidates) {
    const v = judgeSignature(c, keys, algorithm, expected);
    if (v.ok) return v;
    if (!worst || worst.ok || RANK[v.reason] > RANK[worst.reason]) worst = v;
  }
  return worst!;
}

/**
 * One candidate: the signature must verify under `algorithm` with one of the keys, and its
 * payload must name `expected`. A signature that verifies only under another hash is
 * `wrong-algorithm` (Ed25519 signs the payload itself, so the algorithm does not apply to it).
 */
export function judgeSignature(c: SignatureCandidate, keys: KeyObject[], algorithm: SignatureHash, expected: string): Verdict {
  const sig = Buffer.from(c.signature, 'base64');
  if (!keys.some((k) => verifies(c.payload, sig, k, algorithm))) {
    const other = HASHES.find((h) => h !== algorithm && keys.some((k) => k.asymmetricKeyType !== 'ed25519' && verifies(c.payload, sig, k, h)));
    if (other) return { ok: false, reason: 'wrong-algorithm', detail: `wrong-algorithm: ${c.where} was made over ${other}, signatures.algorithm is ${algorithm}` };
    if (c.keyless) return { ok: false, reason: 'bad-signature', detail: `bad-signature: no key in signatures.keys verifies ${c.where}: it carries a signing certificate (keyless, as cosign signs without --key), and regmirror checks signatures made with the configured keys only` };
    return { ok: false, reason: 'bad-signature', detail: `bad-signature: no key in signatures.keys verifies ${c.where}` };
  }
  if (c.statement) return judgeStatement(c, expected);
  const named = payloadFacts(c.payload);
  if (!named) return { ok: false, reason: 'bad-signature', detail: `bad-signature: ${c.where} is signed but its payload is not a cosign image signature (critical.type must be "${COSIGN_SIGNATURE_TYPE}")` };
  if (named.digest !== expected) return { ok: false, reason: 'wrong-digest', detail: `wrong-digest: ${c.where} signs ${named.digest}, the tag is ${expected}` };
  return { ok: true, reference: named.reference, where: c.where };
}

// A verified bundle signature: its statement must be cosign's "sign" predicate naming `expected`.
function judgeStatement(c: SignatureCandidate, expected: string): Verdict {
  const digests = statementDigests(c.statement!);
  if (!digests) return { ok: false, reason: 'bad-signature', detail: `bad-signature: ${c.where} is signed but its statement is not a cosign image signature (predicateType must be "${COSIGN_SIGN_PREDICATE}")` };
  if (!digests.includes(expected)) return { ok: false, reason: 'wrong-digest', detail: `wrong-digest: ${c.where} signs ${digests.join(', ') || 'no digest'}, the tag is ${expected}` };
  return { ok: true, reference: '', where: c.where };
}

function verifies(payload: Uint8Array, sig: Buffer, key: KeyObject, hash: string): boolean {
  try {
    return verify(key.asymmetricKeyType === 'ed25519' ? null : hash, payload, key, sig);
  } catch {
    return false;
  }
}

/** The `critical.type` of a cosign image signature; cosign refuses a payload of any other type. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/**
 * `critical.image.docker-manifest-digest` and `critical.identity.docker-reference`, or undefined
 * when the payload is not a cosign image signature (another simple-signing type included: a key
 * that also signs other JSON must not vouch for an image by it, and cosign verify says the same).
 */
export function payloadFacts(payload: Uint8Array): { digest: string; reference: string } | undefined {
  try {
    const doc = JSON.parse(Buffer.from(payload).toString('utf8')) as { critical?: { image?: Record<string, unknown>; identity?: Record<string, unknown>; type?: unknown } };
    const digest = doc.critical?.image?.['docker-manifest-digest'];
    const reference = doc.critical?.identity?.['docker-reference'];
    if (typeof digest !== 'string' || doc.critical?.type !== COSIGN_SIGNATURE_TYPE) return undefined;
    return { digest, reference: typeof reference === 'string' ? reference : '' };
  } catch {
    return undefined;
  }
}
