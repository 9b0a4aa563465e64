// `signatures` and `lock` in mirrors.yaml: merged key by key, paths relative to the file, key
// files checked before any request (missing, private or not a key: FILE:LINE:COL), described by the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { mirrorsSchema } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/types/errors.js';
import { makeKey } from '../../harness/cosign.js';
import { scratchDir } from '../../harness/scratch.js';

const base = (signatures: string, item = '') => `version: 1
lock: ./state/mirrors.lock
defaults:
  targets: [127.0.0.1:5000/mirror]
  signatures:
${signatures}
images:
  - source: 127.0.0.1:5000/jetstack/a
${item}  - source: 127.0.0.1:5000/jetstack/b
`;

async function inDir<T>(files: Record<string, string>, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await scratchDir('sigcfg');
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('signatures merge key by key over defaults; key paths and the lock resolve against mirrors.yaml', async () => {
  const yaml = base('    keys: [./cosign.pub]\n    algorithm: sha512\n    unsignedBefore: v1.8.0', '    signatures: { unsignedBefore: v1.2.0, keys: [./rsa.pub, ./cosign.pub] }\n');
  await inDir({ 'mirrors.yaml': yaml, 'cosign.pub': makeKey('p256').publicPem, 'rsa.pub': makeKey('rsa').publicPem }, async (dir) => {
    const config = await loadConfig(join(dir, 'mirrors.yaml'));
    assert.equal(config.lock, join(dir, 'state', 'mirrors.lock'));
    assert.deepEqual(config.images[0]!.signatures, { keys: [join(dir, 'rsa.pub'), join(dir, 'cosign.pub')], algorithm: 'sha512', unsignedBefore: 'v1.2.0' });
    assert.deepEqual(config.images[1]!.signatures, { keys: [join(dir, 'cosign.pub')], algorithm: 'sha512', unsignedBefore: 'v1.8.0' });
  });
});

test('algorithm sha384 is taken: cosign signs with a P-384 key over sha384 unless told otherwise', async () => {
  await inDir({ 'mirrors.yaml': base('    keys: [./cosign.pub]\n    algorithm: sha384'), 'cosign.pub': makeKey('p384').publicPem }, async (dir) => {
    const config = await loadConfig(join(dir, 'mirrors.yaml'));
    assert.equal(config.images[0]!.signatures?.algorithm, 'sha384');
  });
});

const bad: [string, string, Record<string, string>, RegExp][] = [
  ['a missing key file', '    keys: [./cosign.pub, ./nope.pub]', {}, /^mirrors\.yaml:6:26: defaults\.signatures\.keys\[1\]: no such file .*nope\.pub$/],
  ['a private key', '    keys: [./cosign.key]', { 'cosign.key': generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, /^mirrors\.yaml:6:12: .*is a private key/],
  ['a file that is no key', '    keys: [./notes.txt]', { 'notes.txt': 'hello\n' }, /^mirrors\.yaml:6:12: .*is not a PEM public key/],
  ['a key of a curve cosign does not use', '    keys: [./k.pub]', { 'k.pub': generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }, /expected ECDSA P-256\/P-384\/P-521, RSA or Ed25519/],
  ['an unknown algorithm', '    keys: [./cosign.pub]\n    algorithm: md5', {}, /^mirrors\.yaml:7:16: .*must be one of sha256, sha384, sha512/],
  ['unsignedBefore that is no version', '    keys: [./cosign.pub]\n    unsignedBefore: soon', {}, /^mirrors\.yaml:7:21: defaults\.signatures\.unsignedBefore: "soon" is not a version/],
  ['no keys', '    algorithm: sha256', {}, /^mirrors\.yaml:5:3: defaults\.signatures: list at least one public key/],
];

for (const [what, signatures, files, message] of bad) {
  test(`a config error: ${what}`, async () => {
    await inDir({ 'mirrors.yaml': base(signatures), 'cosign.pub': makeKey('p256').publicPem, ...files }, async (dir) => {
      const err = await loadConfig('mirrors.yaml', { cwd: dir }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.match(err.message, message);
    });
  });
}

test('the schema describes signatures and lock', () => {
  const defs = mirrorsSchema.definitions.signatures.properties;
  assert.deepEqual(Object.keys(defs).sort(), ['algorithm', 'keys', 'unsignedBefore']);
  assert.ok(mirrorsSchema.properties.lock.description.length > 20);
  assert.ok('signatures' in mirrorsSchema.definitions.image.properties);
  assert.ok('signatures' in mirrorsSchema.properties.defaults.properties);
});
