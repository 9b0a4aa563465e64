// cosign's new bundle format (a sigstore bundle v0.3 whose DSSE envelope signs an in-toto
// statement): the candidates read from its bytes, judged as the simple-signing ones are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleCandidates, preAuthEncoding } from '../../../src/trust/bundle.js';
import { judgeSignatures } from '../../../src/trust/verdict.js';
import { makeKey, signedBundle, signStatement } from '../../harness/cosign.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const ec = makeKey('p256');
const judge = (bundle: Buffer, keys = [ec.publicKey]) => judgeSignatures(bundleCandidates(bundle, 'referrer sha256:ccc'), keys, 'sha256', DIGEST);

test('DSSE PAE is "DSSEv1", the type and the body, each length in decimal bytes', () => {
  assert.equal(preAuthEncoding('application/vnd.in-toto+json', Buffer.from('{}')).toString(), 'DSSEv1 28 application/vnd.in-toto+json 2 {}');
});

test('a bundle signing cosign\'s sign statement of the digest is accepted, by the key that made it', () => {
  assert.deepEqual(judge(signedBundle(signStatement(DIGEST), ec)), { ok: true, reference: '', where: 'referrer sha256:ccc' });
  const v = judge(signedBundle(signStatement(DIGEST), ec), [makeKey('p256').publicKey]);
  assert.equal(v.ok ? 'ok' : v.reason, 'bad-signature');
});

test('a bundle of another digest is wrong-digest; an attestation\'s statement is no signature', () => {
  const other = judge(signedBundle(signStatement(OTHER), ec));
  assert.equal(other.ok ? 'ok' : other.detail, `wrong-digest: referrer sha256:ccc signs ${OTHER}, the tag is ${DIGEST}`);
  const provenance = judge(signedBundle(signStatement(DIGEST, 'https://slsa.dev/provenance/v1'), ec));
  assert.match(provenance.ok ? 'ok' : provenance.detail, /^bad-signature: .*\(predicateType must be "https:\/\/sigstore\.dev\/cosign\/sign\/v1"/);
});

test('a statement changed after signing is bad-signature; bytes that are no DSSE bundle give no candidate', () => {
  const bundle = JSON.parse(signedBundle(signStatement(DIGEST), ec).toString()) as { dsseEnvelope: { payload: string } };
  bundle.dsseEnvelope.payload = Buffer.from(signStatement(DIGEST).toString().replace('{}', '{"x":1}')).toString('base64');
  const v = judge(Buffer.from(JSON.stringify(bundle)));
  assert.equal(v.ok ? 'ok' : v.reason, 'bad-signature');
  assert.deepEqual(bundleCandidates(Buffer.from('{"messageSignature":{}}'), 'x'), []);
  assert.deepEqual(bundleCandidates(Buffer.from('not json'), 'x'), []);
});

test('a keyless bundle (its verification material a certificate) is told apart from a key\'s', () => {
  const keyed = bundleCandidates(signedBundle(signStatement(DIGEST), ec), 'r');
  assert.equal(keyed[0]?.keyless, false);
  const doc = JSON.parse(signedBundle(signStatement(DIGEST), makeKey('p256')).toString()) as { verificationMaterial: Record<string, unknown> };
  doc.verificationMaterial = { certificate: { rawBytes: 'MIIB' }, tlogEntries: [] };
  const v = judge(Buffer.from(JSON.stringify(doc)));
  assert.match(v.ok ? 'ok' : v.detail, /^bad-signature: no key in signatures\.keys verifies r.*: it carries a signing certificate/);
});
