// engine: skopeo with a registry source whose `sha256-HEX` fallback tags hold OCI indexes (the
// referrers of an image, listed for registries without the referrers API; or an artifact index).
// skopeo cannot copy such an index byte for byte, so those tags go through the native copier,
// and skopeo (the real tool) reads the source's digest for every one of them at the target.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { digestOf, getManifest, pushBlob, pushManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { sha256 } from '../../../src/types/digest.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let image: SeededImage;
let bundled: SeededImage;
/** v2.0.0's fallback tag, the artifact index it lists, and the artifact inside that. */
let bundle: { tag: string; fallback: string; index: string; artifact: string };

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const BUNDLE_TYPE = 'application/vnd.regmirror.test.bundle.v1';

/** An artifact index (an OCI index with artifactType) attached to `subject`, and the fallback tag listing it. */
async function seedArtifactIndex(subject: SeededImage): Promise<typeof bundle> {
  const push = { url: source.url };
  const empty = Buffer.from('{}');
  const layer = Buffer.from(JSON.stringify({ provenanceOf: subject.digest }));
  await pushBlob(push, 'jetstack/app', empty);
  await pushBlob(push, 'jetstack/app', layer);
  const artifactBytes = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.in-toto+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(empty), size: empty.length },
    layers: [{ mediaType: 'application/vnd.in-toto+json', digest: digestOf(layer), size: layer.length }],
  }));
  const artifact = await pushManifest(push, 'jetstack/app', digestOf(artifactBytes), artifactBytes, OCI_MANIFEST);
  const top = (await getManifest(push, 'jetstack/app', subject.tag))!;
  const indexBytes = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX, artifactType: BUNDLE_TYPE,
    manifests: [{ mediaType: OCI_MANIFEST, digest: artifact, size: artifactBytes.length, artifactType: 'application/vnd.in-toto+json' }],
    subject: { mediaType: top.mediaType, digest: subject.digest, size: top.bytes.length },
  }));
  const index = await pushManifest(push, 'jetstack/app', digestOf(indexBytes), indexBytes, OCI_INDEX);
  const fallbackBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: index, size: indexBytes.length, artifactType: BUNDLE_TYPE }] }));
  const tag = subject.digest.replace(':', '-');
  const fallback = await pushManifest(push, 'jetstack/app', tag, fallbackBytes, OCI_INDEX);
  return { tag, fallback, index, artifact };
}

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('skopeo-fallback-tag');
  [image] = (await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, signature: true, ociReferrer: true })) as [SeededImage];
  [bundled] = (await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v2.0.0'], format: 'oci', platforms: 2 })) as [SeededImage];
  bundle = await seedArtifactIndex(bundled);
});
after(async () => {
  await Promise.all([source, target].map((r) => r && destroyRegistry(r)));
});

test('engine: skopeo copies a registry source\'s sha256-HEX fallback indexes (referrers, an artifact index) byte for byte, through the native copier', async () => {
  const config = await writeConfig(join(dir, 'sync'), `version: 1
defaults:
  targets: [${target.host}/cert-manager]
  engine: skopeo
${registriesYaml([source, target])}images:
  - source: ${source.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', config, '--no-progress', '-v'], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const tagged = [[image.tag, image.digest], ...Object.entries(image.referrerTags), [bundled.tag, bundled.digest], [bundle.tag, bundle.fallback]] as const;
  for (const [tag, digest] of tagged) assert.equal(sha256(await skopeoRawManifest(`${target.host}/cert-manager/app:${tag}`)), digest, tag);
  // What the fallback indexes list, read by digest: the SBOM artifact, the artifact index and its artifact.
  for (const digest of [...image.referrerDigests, bundle.index, bundle.artifact]) {
    assert.equal(sha256(await skopeoRawManifest(`${target.host}/cert-manager/app@${digest}`)), digest, digest);
  }
  // No skopeo copy was asked for any fallback tag.
  assert.doesNotMatch(run.stderr, /engine skopeo: .* → docker:\/\/[^ ]*:sha256-[0-9a-f]{64}$/m);
  const verify = await runCli(['verify', '-c', config], {});
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
});
