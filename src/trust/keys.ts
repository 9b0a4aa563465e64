// Public keys for signature checks: PEM text → a KeyObject of a kind cosign signs with
// (ECDSA P-256/P-384/P-521, RSA, Ed25519). A private key is refused: it must never sit next to mirrors.yaml.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Why a key file cannot be used; loadConfig turns it into a ConfigError at the key's position. */
export class KeyFileError extends Error {}

// cosign's ECDSA curves (P-521 signs over sha512 by default: algorithm sha512).
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Parses one PEM public key; KeyFileError when it is not one, or of a kind cosign does not use. */
export function parsePublicKey(pem: string): KeyObject {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new KeyFileError('is a private key; give the public key (cosign.pub), and keep the private one out of the repository');
  // cosign verify --key refuses a certificate as well (it has --certificate for keyless signers).
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem) && /-----BEGIN CERTIFICATE-----/.test(pem)) throw new KeyFileError('holds a certificate, not a public key; give the key it certifies: openssl x509 -pubkey -noout -in CERT > cosign.pub');
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) throw new KeyFileError('is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new KeyFileError('is not a readable PEM public key');
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'ed25519') return key;
  if (type === 'ec' && CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? '')) return key;
  throw new KeyFileError(`is a ${type ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''} key; expected ECDSA P-256/P-384/P-521, RSA or Ed25519`.replace('  ', ' '));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Every public key of a key file: a file may bundle several PEM blocks (old and new release keys),
 * and each must be one; createPublicKey alone would read the first and silently drop the others.
 */
export function parsePublicKeys(text: string): KeyObject[] {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length <= 1) return [parsePublicKey(text)];
  return blocks.map((block, i) => {
    try {
      return parsePublicKey(block);
    } catch (err) {
      if (err instanceof KeyFileError) throw new KeyFileError(`key ${i + 1} of ${blocks.length} ${err.message}`);
      throw err;
    }
  });
}

/** Reads the policy's key files (already checked by loadConfig). */
export async function loadKeys(paths: string[]): Promise<KeyObject[]> {
  return (await Promise.all(paths.map(async (p) => parsePublicKeys(await readFile(p, 'utf8'))))).flat();
}
