// skopeo copying an index from a registry sets each entry's media type to the type the registry
// served that image with; entries that would change (go-containerregistry's test indexes name a
// Docker manifest as an OCI one) mean skopeo cannot keep the index byte for byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relabeledEntries } from '../../../src/engines/skopeo-relabel.js';
import { DOCKER_MANIFEST, OCI_MANIFEST } from '../../../src/types/mediatype.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('relabeledEntries', () => {
  it('names the entries whose type the registry serves otherwise', () => {
    const entries = [{ mediaType: OCI_MANIFEST, digest: A, size: 423 }, { mediaType: DOCKER_MANIFEST, digest: B, size: 500 }];
    assert.deepEqual(relabeledEntries(entries, new Map([[A, DOCKER_MANIFEST], [B, DOCKER_MANIFEST]])), [entries[0]]);
  });

  it('names none when every type matches, or for an entry the registry did not answer for', () => {
    const entries = [{ mediaType: OCI_MANIFEST, digest: A, size: 423 }, { mediaType: OCI_MANIFEST, digest: B, size: 500 }];
    assert.deepEqual(relabeledEntries(entries, new Map([[A, OCI_MANIFEST]])), []);
  });
});
