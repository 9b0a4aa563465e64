import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownMediaType } from '../../../src/registry/manifests.js';

const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));

test('a manifest\'s own mediaType; else the OCI type its shape says; else none', () => {
  assert.equal(ownMediaType(bytes({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] })), 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(ownMediaType(bytes({ schemaVersion: 2, config: { digest: 'x' }, layers: [] })), 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(ownMediaType(bytes({ schemaVersion: 2, manifests: [] })), 'application/vnd.oci.image.index.v1+json');
  assert.equal(ownMediaType(bytes({ schemaVersion: 2 })), undefined);
  assert.equal(ownMediaType(bytes(null)), undefined);
  assert.equal(ownMediaType(Buffer.from('<html>')), undefined);
});
