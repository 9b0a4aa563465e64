// An OCI layout whose index names its child manifest by sha512 (the image spec allows it).
// distribution 2.8 names every manifest by sha256: the child's PUT by its sha512 name is refused
// 400 DIGEST_INVALID "provided digest did not match uploaded content", and an index naming the
// child by sha512 could not be stored even if the child were (MANIFEST_BLOB_UNKNOWN). That tag
// cannot reach such a registry; the row said the registry's words, which read as corruption. It
// now says what it is and what to do, and the same tag still reaches a layout target intact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { LayoutWriter, tagged } from '../../harness/layout-writer.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { sha256 } from '../../../src/types/digest.js';
import { readFile } from 'node:fs/promises';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const AMD64 = { os: 'linux', architecture: 'amd64' };

let registry: RunningRegistry;
let dir: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('sha512-child');
});

after(async () => {
  if (registry) await destroyRegistry(registry);
});

test('an index whose child is named by sha512 fails at a sha256-only registry in one line that says why and what to do, and reaches a layout', async () => {
  const w = new LayoutWriter(join(dir, 'src', 'app'));
  const config = await w.blob('application/vnd.oci.image.config.v1+json', JSON.stringify({ ...AMD64, rootfs: { type: 'layers', diff_ids: [] } }), 'sha512');
  const layer = await w.blob('application/vnd.oci.image.layer.v1.tar+gzip', 'layer', 'sha512');
  const child = await w.json({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }, 'sha512');
  const index = await w.json({ schemaVersion: 2, mediaType: INDEX, manifests: [{ ...child, platform: AMD64 }] });
  await w.writeIndex([tagged(index, 'v1.0.0')]);
  const config_ = await writeConfig(dir, `version: 1
defaults:
  targets: [${registry.host}/mirror, oci:${join(dir, 'out')}]
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'app')}
`);
  const sync = await runCli(['sync', '-c', config_, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 1, sync.stdout + sync.stderr);
  const line = sync.stderr.split('\n').filter((l) => l.includes(`→ ${registry.host}/mirror/app`));
  assert.equal(line.length, 1, sync.stderr);
  assert.match(line[0]!, new RegExp(`failed — destination ${registry.host}/mirror/app: the registry refuses manifest ${child.digest} by its sha512 name \\(400 DIGEST_INVALID\\): it names manifests by sha256 only.*mirror the tag into an oci: layout`));
  assert.doesNotMatch(sync.stderr, /did not match uploaded content/);
  // The layout target holds the index byte for byte, its child under its sha512 name.
  assert.match(sync.stderr, /→ oci:.*out\/app: copied/);
  const out = JSON.parse(await readFile(join(dir, 'out', 'app', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.deepEqual(out.manifests.map((m) => m.digest), [index.digest]);
  const stored = await readFile(join(dir, 'out', 'app', 'blobs', 'sha256', index.digest.slice('sha256:'.length)));
  assert.equal(sha256(stored), index.digest);
  await readFile(join(dir, 'out', 'app', 'blobs', 'sha512', child.digest.slice('sha512:'.length)));
});
