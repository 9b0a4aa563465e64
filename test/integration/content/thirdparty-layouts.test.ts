// Other projects' test data (issue 9): the OCI layouts regclient and go-containerregistry test
// themselves with (test/fixtures/thirdparty, with their licences) go layout → registry → layout
// through the real CLI, and skopeo reads every tag's digest at every step. What no registry can
// take by tag (ggcr's untagged layouts) is one clear failure per layout; everything else goes on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { sha256 } from '../../../src/types/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const THIRDPARTY = join(repoRoot(), 'test', 'fixtures', 'thirdparty');
/** Layouts with tags, under the names the test gives them, and where each came from. */
const TAGGED: Record<string, string> = {
  testrepo: join(THIRDPARTY, 'regclient-testrepo'),
  test_index: join(THIRDPARTY, 'ggcr-layout', 'test_index'),
  test_gc_index: join(THIRDPARTY, 'ggcr-layout', 'test_gc_index'),
};
/** ggcr's layouts whose only manifest has no tag name: nothing a registry can hold by tag. */
const UNTAGGED = ['test_index_media_type', 'test_index_one_image', 'test_gc_image_unknown_mediatype'];

/** regclient's testrepo keeps two referrers of v3 (sha256:6fe828b3…) without a tag. */
const V3_FALLBACK = 'sha256-6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d';
const V3_REFERRERS = ['sha256:819ff4564a5d4a1c07b4e25bbba420cace378d4ed32671e6ee4eea95df1b8c4c', 'sha256:ad460bc30198d65c14708aa6ec4445498243bc642fce8b64ea7ce21ba559cc79'];

let registry: RunningRegistry;
let dir: string;

// Tag → digest as the layout's index.json says (the last entry wins, as in every reader).
async function layoutTags(layout: string): Promise<Map<string, { digest: string; mediaType: string }>> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  return new Map(index.manifests.flatMap((d) => (d.annotations?.[REF_NAME] ? [[d.annotations[REF_NAME], d] as const] : [])));
}

// What skopeo reads for a layout tag. skopeo 1.9 skips index.json entries whose media type is not an
// OCI manifest or index (ggcr's test_index tag 2; Docker manifests, as test_index tag 1 comes back):
// those are hashed from the blob file the entry names.
async function layoutDigest(layout: string, tag: string, entry: { digest: string; mediaType: string }): Promise<string> {
  const skopeoReads = entry.mediaType === OCI_MANIFEST || entry.mediaType === OCI_INDEX;
  return sha256(skopeoReads ? await skopeoRawManifest(`oci:${layout}:${tag}`) : await readFile(join(layout, 'blobs', 'sha256', entry.digest.slice('sha256:'.length))));
}

// The fallback index for v3 as it came back, read from the returned layout's blob.
async function fallbackIndexOfV3(returned: Map<string, { digest: string }>): Promise<{ manifests: { digest: string }[] }> {
  const entry = returned.get(V3_FALLBACK);
  assert.ok(entry, `${V3_FALLBACK} came back`);
  return JSON.parse(await readFile(join(dir, 'back', 'testrepo', 'blobs', 'sha256', entry.digest.slice('sha256:'.length)), 'utf8')) as { manifests: { digest: string }[] };
}

before(async () => {
  // TLS (issue 9): the registry serves HTTPS; the configs below name its CA (registriesYaml).
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('thirdparty');
  for (const [name, from] of Object.entries(TAGGED)) await cp(from, join(dir, 'src', name), { recursive: true });
  for (const name of UNTAGGED) await cp(join(THIRDPARTY, 'ggcr-layout', name), join(dir, 'src', name), { recursive: true });
});
after(async () => {
  await destroyRegistry(registry);
  await rm(dir, { recursive: true, force: true });
});

test('regclient\'s and go-containerregistry\'s layouts go to a registry and back into a layout, every tag\'s digest kept', { timeout: 600_000 }, async () => {
  const names = [...Object.keys(TAGGED), ...UNTAGGED];
  const push = await writeConfig(join(dir, 'push'), `version: 1
defaults:
  targets: [${registry.host}/mirror]
${registriesYaml([registry])}images:
${names.map((n) => `  - source: oci:${join(dir, 'src', n)}\n`).join('')}`);
  const pushed = await runCli(['sync', '-c', push, '--no-progress', '--report', join(dir, 'push.json')], { timeoutMs: 300_000 });
  assert.equal(pushed.exitCode, 1, `${pushed.stdout}\n${pushed.stderr}`);
  const report = JSON.parse(await readFile(join(dir, 'push.json'), 'utf8')) as SyncReport;

  // The untagged layouts: one failure each, saying why; nothing crashed, nothing else failed.
  const failed = report.results.filter((r) => r.targets.some((t) => t.action === 'failed'));
  assert.deepEqual(failed.map((r) => r.source).sort(), UNTAGGED.map((n) => `oci:${join(dir, 'src', n)}`).sort());
  for (const r of failed) assert.match(r.targets[0]!.detail, /has no tags: index\.json lists 1 manifest \(sha256:[0-9a-f]{12}…\) without org\.opencontainers\.image\.ref\.name/);
  // regclient keeps v3's two referrers untagged: they travel under v3's fallback tag, not warned about.
  assert.doesNotMatch(pushed.stderr, /testrepo: index\.json also lists/);

  const back = await writeConfig(join(dir, 'back'), `version: 1
defaults:
  targets: [oci:${join(dir, 'back')}]
${registriesYaml([registry])}images:
${Object.keys(TAGGED).map((n) => `  - source: ${registry.host}/mirror/${n}\n`).join('')}`);
  const pulled = await runCli(['sync', '-c', back, '--no-progress'], { timeoutMs: 300_000 });
  assert.equal(pulled.exitCode, 0, `${pulled.stdout}\n${pulled.stderr}`);

  let checked = 0;
  for (const [name, from] of Object.entries(TAGGED)) {
    const tags = await layoutTags(from);
    const returned = await layoutTags(join(dir, 'back', name));
    if (name === 'testrepo') {
      // The fallback tag the source layout showed for v3's untagged referrers arrives as a real tag.
      const index = await fallbackIndexOfV3(returned);
      assert.deepEqual(index.manifests.map((m) => m.digest), V3_REFERRERS);
      for (const digest of V3_REFERRERS) {
        assert.equal(sha256(await skopeoRawManifest(`${registry.host}/mirror/${name}@${digest}`)), digest, `${digest} in the registry`);
        assert.equal(await layoutDigest(join(dir, 'back', name), digest, { digest, mediaType: '' }), digest, `${digest} back in a layout`);
      }
      tags.set(V3_FALLBACK, returned.get(V3_FALLBACK)!);
    }
    assert.deepEqual([...returned.keys()].sort(), [...tags.keys()].sort(), `${name}: the same tags come back`);
    for (const [tag, entry] of tags) {
      const where = `${name}:${tag}`;
      const { digest } = entry;
      // (The fallback tag is regmirror's view of the source layout, not an entry of it.)
      if (tag !== V3_FALLBACK) assert.equal(await layoutDigest(from, tag, entry), digest, `${where} in the original layout`);
      assert.equal(sha256(await skopeoRawManifest(`${registry.host}/mirror/${name}:${tag}`)), digest, `${where} in the registry`);
      const home = returned.get(tag)!;
      assert.equal(home.digest, digest, `${where} back in a layout's index.json`);
      assert.equal(await layoutDigest(join(dir, 'back', name), tag, home), digest, `${where} back in a layout`);
      checked++;
    }
  }
  assert.equal(checked, 25 + 4 + 3);
});
