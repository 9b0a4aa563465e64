// A key file holding several PEM public keys (a release key and its successor, bundled as
// `cat old.pub new.pub > cosign.pub`): every key in it verifies, and a bad block anywhere in it is
// a config error. Before, createPublicKey read the first block only: a release signed with the
// second key was refused as bad-signature, and a malformed second block passed validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { KeyFileError, parsePublicKeys } from '../../../src/trust/keys.js';
import { judgeSignatures } from '../../../src/trust/verdict.js';

const pem = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve });
const DIGEST = `sha256:${'a'.repeat(64)}`;
const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'quay.io/jetstack/app' }, image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' }, optional: null }));

test('every key of a bundled PEM file is loaded, and a signature by the second one verifies', async () => {
  const old = pem('prime256v1');
  const next = pem('secp384r1');
  const text = `${old.publicKey.export({ type: 'spki', format: 'pem' })}${next.publicKey.export({ type: 'spki', format: 'pem' })}`;
  const keys = parsePublicKeys(text);
  assert.equal(keys.length, 2);
  const { sign } = await import('node:crypto');
  const signature = sign('sha256', payload, next.privateKey).toString('base64');
  const v = judgeSignatures([{ payload, signature, where: 'sig' }], keys, 'sha256', DIGEST);
  assert.equal(v.ok, true, v.ok ? '' : v.detail);
});

test('a bundle with a malformed or private block is refused, naming which block', () => {
  const good = pem('prime256v1');
  const text = `${good.publicKey.export({ type: 'spki', format: 'pem' })}-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n`;
  assert.throws(() => parsePublicKeys(text), (err: unknown) => err instanceof KeyFileError && /^key 2 of 2 is not a readable PEM public key/.test(err.message));
  const withPrivate = `${good.publicKey.export({ type: 'spki', format: 'pem' })}${good.privateKey.export({ type: 'pkcs8', format: 'pem' })}`;
  assert.throws(() => parsePublicKeys(withPrivate), (err: unknown) => err instanceof KeyFileError && /is a private key/.test(err.message));
  // One key alone keeps its messages.
  assert.equal(parsePublicKeys(good.publicKey.export({ type: 'spki', format: 'pem' }).toString()).length, 1);
});

test('a certificate in place of a public key is refused, saying how to take its key out', () => {
  // A certificate's PEM block, its body cut short: the block's type is what tells.
  const cert = '-----BEGIN CERTIFICATE-----\nMIIBgjCCASmgAwIBAgIUb5mDyL9IR2c0yB/hBP1XJXTHSQgwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n';
  assert.throws(() => parsePublicKeys(cert), (err: unknown) => err instanceof KeyFileError && err.message === 'holds a certificate, not a public key; give the key it certifies: openssl x509 -pubkey -noout -in CERT > cosign.pub');
});

test('an ECDSA P-521 key, which cosign signs with over sha512, is taken and verifies under algorithm sha512', async () => {
  const p521 = pem('secp521r1');
  const keys = parsePublicKeys(p521.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const { sign } = await import('node:crypto');
  const signature = sign('sha512', payload, p521.privateKey).toString('base64');
  const v = judgeSignatures([{ payload, signature, where: 'sig' }], keys, 'sha512', DIGEST);
  assert.equal(v.ok, true, v.ok ? '' : v.detail);
});
