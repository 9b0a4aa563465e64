// A signature made by the real cosign (a sigstore-rs test vector, see test/fixtures/cosign):
// regmirror's check accepts it for its digest and refuses it for any other, and its key loads as
// a `signatures.keys` file. This ties the hand-built signatures of the other tests to the real format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePublicKey } from '../../../src/trust/keys.js';
import { judgeSignature, payloadFacts } from '../../../src/trust/verdict.js';
import { REPO_ROOT } from '../config/fixtures.js';

const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'cosign');
const key = parsePublicKey(readFileSync(path.join(dir, 'cosign.pub'), 'utf8'));
const payload = readFileSync(path.join(dir, 'payload.json'));
const signature = readFileSync(path.join(dir, 'signature.b64'), 'utf8').trim();
const DIGEST = 'sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b';

test('a signature made by cosign verifies for the digest it names', () => {
  assert.deepEqual(payloadFacts(payload), { digest: DIGEST, reference: 'registry-testing.svc.lan/busybox' });
  assert.deepEqual(judgeSignature({ payload, signature, where: 'cosign' }, [key], 'sha256', DIGEST), { ok: true, reference: 'registry-testing.svc.lan/busybox', where: 'cosign' });
});

test('the same cosign signature is wrong-digest for another image and wrong-algorithm under sha512', () => {
  const other = `sha256:${'0'.repeat(64)}`;
  const v = judgeSignature({ payload, signature, where: 'cosign' }, [key], 'sha256', other);
  assert.equal(v.ok ? 'ok' : v.reason, 'wrong-digest');
  const w = judgeSignature({ payload, signature, where: 'cosign' }, [key], 'sha512', DIGEST);
  assert.equal(w.ok ? 'ok' : w.reason, 'wrong-algorithm');
  const changed = Buffer.from(payload.toString().replace('busybox', 'busyb0x'));
  const x = judgeSignature({ payload: changed, signature, where: 'cosign' }, [key], 'sha256', DIGEST);
  assert.equal(x.ok ? 'ok' : x.reason, 'bad-signature');
});
