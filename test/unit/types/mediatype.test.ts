import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/types/mediatype.js';
import { UnsupportedError } from '../../../src/types/errors.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const d = (n: number) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${String(n).repeat(64)}`, size: n });
const bytes = (doc: object) => Buffer.from(JSON.stringify(doc));

describe('parseManifest: a malformed descriptor', () => {
  const refused = (doc: object, expected: string) => assert.throws(() => parseManifest(bytes(doc)), (e: unknown) => {
    assert.ok(e instanceof UnsupportedError);
    assert.equal(e.message, expected);
    return true;
  });

  it('names the descriptor and what it lacks (personalities4: a referrer whose subject has no size)', () => {
    refused({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d(1), layers: [d(2)], subject: { mediaType: OCI_MANIFEST, digest: d(3).digest } },
      'manifest has a malformed descriptor: its subject has no "size" (a number)');
    refused({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d(1), layers: [d(2), { digest: 7 }] },
      'manifest has a malformed descriptor: its layers[1] has no "mediaType" (a string), "digest" (a string), "size" (a number)');
    refused({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...d(1), size: '1' }, layers: [] },
      'manifest has a malformed descriptor: its config has no "size" (a number)');
    refused({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [d(1), null] },
      'manifest has a malformed descriptor: its manifests[1] is not a JSON object');
  });

  it('takes well-formed descriptors as before', () => {
    const parsed = parseManifest(bytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d(1), layers: [d(2)], subject: { ...d(3), mediaType: OCI_MANIFEST } }));
    assert.deepEqual(parsed.blobs.map((b) => b.size), [1, 2]);
    assert.equal(parsed.subject?.size, 3);
  });
});
