// A manifest PUT refused for its foreign layer's URLs becomes a line that says so (src/registry/foreign-refusal.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foreignRefusal } from '../../../src/registry/foreign-refusal.js';
import { RegistryResponseError, UnsupportedError } from '../../../src/types/errors.js';

const FOREIGN = `sha256:${'f'.repeat(64)}`;
const OWN = `sha256:${'1'.repeat(64)}`;
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: `sha256:${'c'.repeat(64)}` },
  layers: [
    { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', size: 9, digest: FOREIGN, urls: ['https://mcr.microsoft.com/l/ffff'] },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 3, digest: OWN },
  ],
}));
const TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
// What distribution 2.8 answers with validation on and no allow list (seen from docker-registry 2.8.2).
const distribution = (digest: string) => new RegistryResponseError('PUT', 'https://r.example/v2/w/manifests/t', 500, [
  { code: 'UNKNOWN', message: 'unknown error' }, { code: 'UNKNOWN', message: 'unknown error', detail: {} },
  { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: digest },
]);

test("distribution's refusal naming the foreign layer names the registry, the layer, its URL and the allow list", () => {
  const e = foreignRefusal('r.example', 'w:t', manifest, TYPE, distribution(FOREIGN));
  assert.ok(e instanceof UnsupportedError);
  assert.match(e.message, /^r\.example refused manifest w:t for its foreign layer sha256:f{64} \(application\/vnd\.docker\.image\.rootfs\.foreign\.diff\.tar\.gzip with URLs, at https:\/\/mcr\.microsoft\.com\/l\/ffff\)/);
  assert.match(e.message, /allow them in its configuration \(distribution: validation\.manifests\.urls\.allow\) or leave this image out of this target \(it answered 500 UNKNOWN, MANIFEST_BLOB_UNKNOWN\)$/);
});

test('a MANIFEST_INVALID that names the layer in its message is the same refusal', () => {
  const e = new RegistryResponseError('PUT', 'u', 400, [{ code: 'MANIFEST_INVALID', message: `invalid URL on layer ${FOREIGN}` }]);
  assert.ok(foreignRefusal('r.example', 'w:t', manifest, TYPE, e));
});

test('a refusal naming an ordinary blob, or no blob, or not from a registry, is left as it was', () => {
  assert.equal(foreignRefusal('r.example', 'w:t', manifest, TYPE, distribution(OWN)), undefined);
  assert.equal(foreignRefusal('r.example', 'w:t', manifest, TYPE, new RegistryResponseError('PUT', 'u', 400, [{ code: 'MANIFEST_INVALID', message: 'manifest invalid' }])), undefined);
  assert.equal(foreignRefusal('r.example', 'w:t', manifest, TYPE, new Error(FOREIGN)), undefined);
  assert.equal(foreignRefusal('r.example', 'w:t', Buffer.from('not json'), TYPE, distribution(FOREIGN)), undefined);
});

test('an ordinary OCI layer with urls, refused for them (distribution checks every OCI layer URL), is the same refusal', () => {
  const LAYER = `sha256:${'e'.repeat(64)}`;
  const oci = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: `sha256:${'c'.repeat(64)}` },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 9, digest: LAYER, urls: ['https://cdn.example/l'] }],
  }));
  assert.match(foreignRefusal('r.example', 'w:t', oci, 'application/vnd.oci.image.manifest.v1+json', distribution(LAYER))?.message ?? '', /for its foreign layer sha256:e{64} \(application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip with URLs, at https:\/\/cdn\.example\/l\)/);
});
