import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namedTypes, negotiate } from '../../../src/serve/negotiate.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../../../src/types/mediatype.js';

const list = (platforms: [string, string, string?][]) => ({
  mediaType: DOCKER_MANIFEST_LIST, digest: 'sha256:list',
  bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: platforms.map(([os, architecture, variant], i) => ({ mediaType: DOCKER_MANIFEST, digest: `sha256:${i}`, size: 1, platform: { os, architecture, ...(variant ? { variant } : {}) } })) })),
});
const doc = (mediaType: string) => ({ mediaType, digest: 'sha256:x', bytes: Buffer.from('{}') });

test('Accept headers: the manifest types named, parameters and case aside; none named is undefined', () => {
  assert.deepEqual(namedTypes(`${DOCKER_MANIFEST}; q=0.9 , */*`), new Set([DOCKER_MANIFEST]));
  assert.deepEqual(namedTypes([OCI_INDEX.toUpperCase(), `${OCI_MANIFEST},text/html`]), new Set([OCI_INDEX, OCI_MANIFEST]));
  assert.equal(namedTypes(undefined), undefined);
  assert.equal(namedTypes('*/*'), undefined);
});

test('as distribution: a list by tag to a schema-2-only client is its linux/amd64 entry; OCI content unnamed is refused', () => {
  const s2 = namedTypes(DOCKER_MANIFEST);
  assert.deepEqual(negotiate(s2, list([['linux', 'arm64'], ['linux', 'amd64'], ['linux', 'amd64', 'v2']]), true), { platform: 'sha256:1' });
  assert.deepEqual(negotiate(s2, list([['linux', 'arm64']]), true), { refuse: 'manifest unknown' });
  assert.deepEqual(negotiate(s2, list([['linux', 'amd64']]), false), { send: true }, 'by digest: what was asked for');
  assert.deepEqual(negotiate(namedTypes(`${DOCKER_MANIFEST}, ${DOCKER_MANIFEST_LIST}`), list([['linux', 'amd64']]), true), { send: true });
  assert.deepEqual(negotiate(s2, doc(OCI_INDEX), false), { refuse: 'OCI index found, but accept header does not support OCI indexes' });
  assert.deepEqual(negotiate(s2, doc(OCI_MANIFEST), true), { refuse: 'OCI manifest found, but accept header does not support OCI manifests' });
  assert.deepEqual(negotiate(namedTypes(OCI_MANIFEST), doc(DOCKER_MANIFEST), true), { send: true }, 'no schema 1 rewriting: as stored');
  assert.deepEqual(negotiate(undefined, doc(OCI_INDEX), true), { send: true }, 'no manifest type named: as stored');
});
