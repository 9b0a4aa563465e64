// A manifest whose descriptor names another media type than the manifest's own `mediaType`
// (in an index, or in a layout's index.json): distribution refuses a PUT whose Content-Type
// disagrees with the document (MANIFEST_INVALID). skopeo copies it byte for byte, so must we.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { digestOf, pushBlob, pushManifest, tarWithOneFile, pseudoRandomBytes } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { gzipSync } from 'node:zlib';
import { scratchDir } from '../../harness/scratch.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;

/** An OCI image (config, one layer, manifest) as blobs keyed by digest. */
function ociImage(seed: string): { blobs: Map<string, Buffer>; manifest: Buffer } {
  const tar = tarWithOneFile(`${seed}.bin`, pseudoRandomBytes(seed, 2048));
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
  }));
  return { blobs: new Map([[digestOf(config), config], [digestOf(layer), layer]]), manifest };
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('media-type');
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

// The child is read from the registry by digest, whose Content-Type is the manifest's own: this
// one guards that path (it passed before the fix too); the layout below is what the fix is for.
test('an index whose child descriptor says Docker for an OCI manifest is copied byte for byte', async () => {
  const image = ociImage('index-child');
  const push = { url: src.url };
  for (const blob of image.blobs.values()) await pushBlob(push, 'jetstack/app', blob);
  const child = await pushManifest(push, 'jetstack/app', digestOf(image.manifest), image.manifest, OCI_MANIFEST);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [{ mediaType: DOCKER_MANIFEST, digest: child, size: image.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
  }));
  const digest = await pushManifest(push, 'jetstack/app', 'v1.0.0', index, OCI_INDEX);
  const file = await writeConfig(join(dir, 'index'), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '-v'], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app:v1.0.0`), digest);
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app@${child}`), child);
});

test('engine: skopeo: the same index goes through the native copier, and -v says why (personalities4)', async () => {
  // skopeo 1.9 would rewrite the entry's media type (--preserve-digests refuses): the tag is
  // routed to regmirror's own copier, and its line said 'copied (2 blobs uploaded, …)' where the
  // others say 'copied by skopeo', with nothing in -v to tell why.
  const file = await writeConfig(join(dir, 'index-skopeo'), `version: 1
defaults:
  engine: skopeo
  targets: [${dst.host}/skopeo]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress'], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`debug: engine skopeo: ${src.host}/jetstack/app:v1\\.0\\.0 is copied by regmirror's own copier: its index names an image as another media type than skopeo reads it as from the source, so skopeo would rewrite the index \\(--preserve-digests forbids it\\)`));
  assert.equal(await skopeoDigest(`${dst.host}/skopeo/app:v1.0.0`), await skopeoDigest(`${src.host}/jetstack/app:v1.0.0`));
});

test('a layout whose index.json says Docker for an OCI manifest is copied byte for byte', async () => {
  const image = ociImage('layout-tag');
  const layout = join(dir, 'layouts', 'tool');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, bytes] of [...image.blobs, [digestOf(image.manifest), image.manifest] as const]) {
    await writeFile(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  }
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [{ mediaType: DOCKER_MANIFEST, digest: digestOf(image.manifest), size: image.manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v2.0.0' } }],
  }));
  const file = await writeConfig(join(dir, 'layout'), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([dst])}images:
  - source: oci:${layout}
`);
  const run = await runCli(['sync', '-c', file, '-v'], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  // The layout source reports the manifest's own mediaType (not index.json's), so the PUT goes out
  // as OCI and there is no mismatch left to log at -v: the registry says what it stored.
  const head = await fetch(`${dst.url}/v2/cert-manager/tool/manifests/v2.0.0`, { method: 'HEAD', headers: { accept: `${OCI_MANIFEST}, ${DOCKER_MANIFEST}` } });
  assert.equal(head.headers.get('content-type'), OCI_MANIFEST);
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/tool:v2.0.0`), digestOf(image.manifest));
});
