import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobCalled, TITLE_ANNOTATION } from '../../../src/types/descriptor.js';

const digest = `sha256:${'a'.repeat(64)}`;

test('a blob is named by the file name its artifact gave it, then its size and digest; else by digest and size', () => {
  assert.equal(blobCalled({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: 6 * 1024 * 1024, annotations: { [TITLE_ANNOTATION]: 'cmctl-linux-amd64.tar.gz' } }), `cmctl-linux-amd64.tar.gz (6.0 MiB, blob ${digest})`);
  assert.equal(blobCalled({ mediaType: 'application/vnd.oci.empty.v1+json', digest, size: 2 }), `blob ${digest} (2 B)`);
});
