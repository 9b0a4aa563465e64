// The signature check as a pure function: real cosign-format signatures made with node's crypto,
// judged without a network (EC P-256 + sha256 and RSA + sha512, as the issue asks; Ed25519 too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeSignature, judgeSignatures, type SignatureCandidate } from '../../../src/trust/verdict.js';
import { makeKey, signPayload, simpleSigningPayload } from '../../harness/cosign.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const ec = makeKey('p256');
const rsa = makeKey('rsa');
const ed = makeKey('ed25519');
const stranger = makeKey('p256');

function candidate(digest: string, key = ec, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): SignatureCandidate {
  const payload = simpleSigningPayload(digest, 'quay.io/jetstack/cert-manager-controller');
  return { payload, signature: signPayload(payload, key, hash), where: 'sha256-aaa.sig' };
}

test('an EC P-256 signature over sha256 naming the digest is accepted, with the signer\'s reference reported', () => {
  const v = judgeSignature(candidate(DIGEST), [ec.publicKey], 'sha256', DIGEST);
  assert.deepEqual(v, { ok: true, reference: 'quay.io/jetstack/cert-manager-controller', where: 'sha256-aaa.sig' });
});

test('an RSA signature over sha512 is accepted with algorithm sha512, and is wrong-algorithm under sha256', () => {
  const c = candidate(DIGEST, rsa, 'sha512');
  assert.equal(judgeSignature(c, [rsa.publicKey], 'sha512', DIGEST).ok, true);
  const v = judgeSignature(c, [rsa.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'wrong-algorithm');
  assert.match(v.ok ? '' : v.detail, /made over sha512, signatures\.algorithm is sha256/);
});

test('an EC signature over sha256 is wrong-algorithm when sha512 is configured', () => {
  const v = judgeSignature(candidate(DIGEST), [ec.publicKey], 'sha512', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'wrong-algorithm');
});

test('an EC P-384 signature over sha384 (cosign\'s default for that curve) is accepted with algorithm sha384, and is wrong-algorithm under sha256', () => {
  const p384 = makeKey('p384');
  const c = candidate(DIGEST, p384, 'sha384');
  assert.equal(judgeSignature(c, [p384.publicKey], 'sha384', DIGEST).ok, true);
  const v = judgeSignature(c, [p384.publicKey], 'sha256', DIGEST);
  assert.match(v.ok ? '' : v.detail, /^wrong-algorithm: .* was made over sha384, signatures\.algorithm is sha256$/);
});

test('any one of the keys may verify', () => {
  assert.equal(judgeSignature(candidate(DIGEST, rsa, 'sha512'), [ec.publicKey, rsa.publicKey], 'sha512', DIGEST).ok, true);
});

test('Ed25519 signs the payload itself: accepted whatever the algorithm', () => {
  assert.equal(judgeSignature(candidate(DIGEST, ed), [ed.publicKey], 'sha512', DIGEST).ok, true);
});

test('a signature by another key is bad-signature', () => {
  const v = judgeSignature(candidate(DIGEST, stranger), [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'bad-signature');
});

test('a tampered payload or signature is bad-signature', () => {
  const c = candidate(DIGEST);
  const payload = Buffer.from(c.payload.toString().replace('cert-manager-controller', 'cert-manager-evil'));
  assert.equal(judgeSignature({ ...c, payload }, [ec.publicKey], 'sha256', DIGEST).ok, false);
  const sig = Buffer.from(c.signature, 'base64');
  sig[sig.length - 1]! ^= 1;
  const v = judgeSignature({ ...c, signature: sig.toString('base64') }, [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'bad-signature');
  assert.equal(judgeSignature({ ...c, signature: 'not base64 at all!' }, [ec.publicKey], 'sha256', DIGEST).ok, false);
});

test('a valid signature of another image is wrong-digest, naming both digests', () => {
  const v = judgeSignature(candidate(OTHER), [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'wrong-digest');
  assert.match(v.ok ? '' : v.detail, new RegExp(`signs ${OTHER}, the tag is ${DIGEST}`));
});

test('a signed payload that is not simple signing is bad-signature', () => {
  const payload = Buffer.from('{"hello":"world"}');
  const v = judgeSignature({ payload, signature: signPayload(payload, ec), where: 'x' }, [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.reason, 'bad-signature');
});

test('no candidate is unsigned; one good candidate among bad ones is enough; otherwise the most telling refusal', () => {
  const none = judgeSignatures([], [ec.publicKey], 'sha256', DIGEST);
  assert.equal(none.ok ? 'ok' : none.reason, 'unsigned');
  assert.equal(judgeSignatures([candidate(DIGEST, stranger), candidate(DIGEST)], [ec.publicKey], 'sha256', DIGEST).ok, true);
  const worst = judgeSignatures([candidate(DIGEST, stranger), candidate(OTHER)], [ec.publicKey], 'sha256', DIGEST);
  assert.equal(worst.ok ? 'ok' : worst.reason, 'wrong-digest');
});

test('a signed simple-signing payload of another critical.type is bad-signature, as cosign verify refuses it', () => {
  const payload = Buffer.from(simpleSigningPayload(DIGEST, 'quay.io/jetstack/cert-manager-controller').toString().replace('cosign container image signature', 'atomic container signature'));
  const v = judgeSignature({ payload, signature: signPayload(payload, ec), where: 'sha256-aaa.sig' }, [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.detail, 'bad-signature: sha256-aaa.sig is signed but its payload is not a cosign image signature (critical.type must be "cosign container image signature")');
});

test('a keyless signature (a Fulcio certificate beside it) that no key verifies says so', () => {
  const c = { ...candidate(DIGEST, stranger), keyless: true };
  const v = judgeSignature(c, [ec.publicKey], 'sha256', DIGEST);
  assert.equal(v.ok ? 'ok' : v.detail, 'bad-signature: no key in signatures.keys verifies sha256-aaa.sig: it carries a signing certificate (keyless, as cosign signs without --key), and regmirror checks signatures made with the configured keys only');
});
