// The artifact manifest: oras's shape, and the same bytes for the same files whatever the order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactManifest, EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from '../../../src/publish/manifest.js';
import { sha256 } from '../../../src/types/digest.js';
import { parseManifest } from '../../../src/types/mediatype.js';
import { UsageError } from '../../../src/types/errors.js';

const TYPE = 'application/vnd.cert-manager.cmctl.v1';
const files = [
  { name: 'cmctl-linux-amd64.tar.gz', digest: sha256('linux'), size: 5 },
  { name: 'cmctl-darwin-arm64.tar.gz', digest: sha256('darwin'), size: 6 },
  { name: 'checksums.txt', digest: sha256('sums'), size: 4 },
];

test('the empty config descriptor is the digest of {}', () => {
  assert.equal(sha256(EMPTY_CONFIG_BYTES), EMPTY_CONFIG.digest);
  assert.equal(EMPTY_CONFIG_BYTES.byteLength, EMPTY_CONFIG.size);
});

test('an OCI image manifest with artifactType, empty config and titled tar layers sorted by name', () => {
  const { descriptor, bytes } = artifactManifest(TYPE, files);
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  assert.equal(doc.schemaVersion, 2);
  assert.equal(doc.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(doc.artifactType, TYPE);
  assert.deepEqual(doc.config, { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
  assert.deepEqual(doc.layers.map((l: { annotations: Record<string, string> }) => l.annotations['org.opencontainers.image.title']), ['checksums.txt', 'cmctl-darwin-arm64.tar.gz', 'cmctl-linux-amd64.tar.gz']);
  for (const l of doc.layers) assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar');
  assert.equal(doc.layers[2].digest, sha256('linux'));
  assert.equal(doc.layers[2].size, 5);
  assert.equal(doc.annotations, undefined, 'no created timestamp or other run-dependent annotation');
  assert.equal(descriptor.digest, sha256(bytes));
  assert.equal(descriptor.size, bytes.byteLength);
  assert.equal(parseManifest(bytes).blobs.length, 4);
});

test('same files in any order give the same bytes and digest', () => {
  const a = artifactManifest(TYPE, files);
  const b = artifactManifest(TYPE, [...files].reverse());
  const c = artifactManifest(TYPE, [files[1]!, files[2]!, files[0]!]);
  assert.deepEqual(Buffer.from(b.bytes), Buffer.from(a.bytes));
  assert.equal(c.descriptor.digest, a.descriptor.digest);
});

test('different content or artifactType gives a different digest', () => {
  const a = artifactManifest(TYPE, files);
  assert.notEqual(artifactManifest(`${TYPE}+x`, files).descriptor.digest, a.descriptor.digest);
  assert.notEqual(artifactManifest(TYPE, files.slice(1)).descriptor.digest, a.descriptor.digest);
});

test('two files with one name cannot both be layers', () => {
  assert.throws(() => artifactManifest(TYPE, [files[0]!, { ...files[0]!, digest: sha256('other') }]), UsageError);
});
