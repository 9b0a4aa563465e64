// engine: skopeo over a layout whose index.json, or whose index, names a manifest at a type that
// is not its own (layouts3 hunt: the issue's "descriptor media type differs from the manifest's
// own mediaType", with engine: skopeo). containers/image reads a layout's manifest as the type of
// the index.json entry naming that digest, else as its bytes say: an entry calling an image an
// index failed ('skopeo: parsing manifest list "{…the whole manifest…}": rejecting ambiguous
// manifest'), an index under an image's type failed likewise, and an index naming an OCI image as
// a Docker one failed ("Manifest list must be converted … Instructed to preserve digests"). The
// native copier takes them, byte for byte, as it takes a registry's misnaming indexes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { sha256 } from '../../../src/types/digest.js';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { LayoutWriter, tagged } from '../../harness/layout-writer.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };

let registry: RunningRegistry;
let dir: string;
/** tag → the digest the source layout gives it. */
const wanted = new Map<string, string>();

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('skopeo-layout-types');
  const w = new LayoutWriter(join(dir, 'src', 'types'));
  const image = async (seed: string) => w.json({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: await w.blob('application/vnd.oci.image.config.v1+json', JSON.stringify({ ...AMD64, rootfs: { type: 'layers', diff_ids: [] }, seed })),
    layers: [await w.blob('application/vnd.oci.image.layer.v1.tar+gzip', `layer of ${seed}`)],
  });
  const listed = await image('listed');
  const index = await w.json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...listed, platform: AMD64 }] });
  // This image is in no index.json entry: skopeo reads it as its bytes say, an OCI manifest.
  const unlisted = await image('unlisted');
  const docker = await w.json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...unlisted, mediaType: DOCKER_MANIFEST, platform: AMD64 }] });
  const asIndex = await image('as index');
  await w.writeIndex([tagged({ ...asIndex, mediaType: OCI_INDEX }, 'says-index'), tagged({ ...index, mediaType: OCI_MANIFEST }, 'says-manifest'), tagged(docker, 'child-says-docker')]);
  for (const [tag, desc] of [['says-index', asIndex], ['says-manifest', index], ['child-says-docker', docker]] as const) wanted.set(tag, desc.digest);
});
after(async () => {
  await destroyRegistry(registry);
});

test('engine: skopeo leaves a layout\'s manifests named at another type to the native copier: copied, there and back, digests kept', { timeout: 300_000 }, async () => {
  const push = await writeConfig(join(dir, 'push'), `version: 1
defaults:
  targets: [${registry.host}/types]
  engine: skopeo
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'types')}
`);
  const plan = await runCli(['plan', '-c', push, '--no-progress', '--format', 'json', '-o', join(dir, 'plan.json')], { timeoutMs: 120_000 });
  assert.equal(plan.exitCode, 0, `${plan.stdout}\n${plan.stderr}`);
  const planned = (JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as SyncReport).results.map((r) => `${r.tag} ${r.targets[0]!.action}`);
  assert.deepEqual(planned.sort(), ['child-says-docker copy', 'says-index copy', 'says-manifest copy']);
  const pushed = await runCli(['sync', '-c', push, '--no-progress', '--report', join(dir, 'push.json')], { timeoutMs: 120_000 });
  const rows = (JSON.parse(await readFile(join(dir, 'push.json'), 'utf8')) as SyncReport).results.map((r) => `${r.tag} ${r.targets[0]!.action} ${r.targets[0]!.detail}`.trim());
  assert.deepEqual(rows.sort(), ['child-says-docker copied', 'says-index copied', 'says-manifest copied'], pushed.stdout + pushed.stderr);
  assert.equal(pushed.exitCode, 0, pushed.stderr);

  const back = await writeConfig(join(dir, 'back'), `version: 1
defaults:
  targets: [oci:${join(dir, 'back')}]
  engine: skopeo
${registriesYaml([registry])}images:
  - source: ${registry.host}/types/types
`);
  const pulled = await runCli(['sync', '-c', back, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(pulled.exitCode, 0, `${pulled.stdout}\n${pulled.stderr}`);
  for (const [tag, digest] of wanted) {
    assert.equal(sha256(await skopeoRawManifest(`${registry.host}/types/types:${tag}`)), digest, `${tag} at the registry`);
    assert.equal(sha256(await skopeoRawManifest(`oci:${join(dir, 'back', 'types')}:${tag}`)), digest, `${tag} back in a layout`);
  }
  const again = await runCli(['sync', '-c', push, '--no-progress', '--report', join(dir, 'again.json')], { timeoutMs: 120_000 });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual([...new Set((JSON.parse(await readFile(join(dir, 'again.json'), 'utf8')) as SyncReport).results.map((r) => r.targets[0]!.action))], ['skip']);
});
