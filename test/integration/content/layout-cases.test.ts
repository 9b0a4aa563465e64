// More layouts than regclient's testrepo and ggcr's (issue 9), layout → TLS registry → layout
// through the real CLI, skopeo judging every digest: containers/image's and regclient's other test
// layouts (test/fixtures/thirdparty), and what the specs allow that such data misses, written here
// in a few lines each (test/harness/layout-writer.ts). What no registry takes fails per tag, in
// words that say why; everything else arrives with the digest it left with.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, readdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { sha256 } from '../../../src/types/digest.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { LayoutWriter, tagged, type LayoutDescriptor } from '../../harness/layout-writer.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const THIRDPARTY = join(repoRoot(), 'test', 'fixtures', 'thirdparty');
const CONTAINERS_IMAGE = ['delete_image_multiple_images', 'delete_image_only_one_image', 'delete_image_two_identical_references', 'delete_image_shared_blobs_dir'];
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const AMD64 = { os: 'linux', architecture: 'amd64' };

let registry: RunningRegistry;
let dir: string;

/** A one-layer image; `algorithm` names its config, layer and manifest. */
async function image(w: LayoutWriter, seed: string, algorithm: 'sha256' | 'sha512' = 'sha256', extra: Record<string, unknown> = {}): Promise<LayoutDescriptor> {
  const config = await w.blob(CONFIG, JSON.stringify({ ...AMD64, rootfs: { type: 'layers', diff_ids: [] }, seed }), algorithm);
  const layer = await w.blob(GZIP, `layer of ${seed}`, algorithm);
  return w.json({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer], ...extra }, algorithm);
}

/** The spec's cases, one tag each, in one layout. */
async function writeSpecCases(w: LayoutWriter): Promise<void> {
  const plain = await image(w, 'plain');
  const config = await w.blob(CONFIG, JSON.stringify({ ...AMD64, rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = (layers: LayoutDescriptor[], extra: Record<string, unknown> = {}) => w.json({ schemaVersion: 2, mediaType: MANIFEST, config, layers, ...extra });
  const empty = await w.blob(EMPTY, '{}');
  const thing = await w.blob('application/example.thing', 'a thing');
  const helm = { schemaVersion: 2, mediaType: MANIFEST, config: await w.blob('application/vnd.cncf.helm.config.v1+json', '{"apiVersion":"v2","name":"demo","version":"0.1.0"}'), layers: [await w.blob('application/vnd.cncf.helm.chart.content.v1.tar+gzip', 'chart')] };
  const absent = sha256('an image kept elsewhere');
  const child = await w.json({ schemaVersion: 2, mediaType: INDEX, manifests: [{ ...plain, platform: AMD64 }] });
  const middle = await w.json({ schemaVersion: 2, mediaType: INDEX, manifests: [child] });
  const c512 = await w.blob(CONFIG, JSON.stringify({ ...AMD64, rootfs: { type: 'layers', diff_ids: [] }, seed: 'sha512 blobs' }), 'sha512');
  await w.writeIndex([
    // index.json entries with platform and annotations, two of them at one manifest.
    tagged(plain, 'platform', { platform: AMD64, annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } }),
    tagged(plain, 'same-manifest', { platform: AMD64 }),
    tagged(await manifest([await w.blob('application/vnd.oci.image.layer.v1.tar+zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 1, 0, 0]))]), 'zstd'),
    tagged(await manifest([await w.blob(GZIP, '')]), 'empty-layer'),
    tagged(await w.json(helm), '0.1.0'),
    // image-spec's artifact guidance: artifactType, the empty descriptor (with `data`) as config.
    tagged(await w.json({ schemaVersion: 2, mediaType: MANIFEST, artifactType: 'application/example', config: { ...empty, data: 'e30=' }, layers: [thing] }), 'artifact'),
    tagged(await w.json({ schemaVersion: 2, mediaType: MANIFEST, artifactType: 'application/example', config: empty, layers: [empty] }), 'empty-only'),
    tagged(await w.json({ schemaVersion: 2, mediaType: MANIFEST, artifactType: 'application/example', config: empty, layers: [thing], subject: { mediaType: MANIFEST, digest: absent, size: 123 } }), 'subject-absent'),
    tagged(await w.json({ schemaVersion: 2, mediaType: INDEX, manifests: [middle] }), 'nested-3'),
    tagged(await manifest([await w.blob(GZIP, 'sha512 layer', 'sha512')], { config: c512 }), 'sha512-blobs'),
    // Near distribution's 4 MiB manifest limit (and regmirror's own cap).
    tagged(await image(w, 'big', 'sha256', { annotations: { filler: 'x'.repeat(4 * 1024 * 1024 - 4096) } }), 'big'),
  ]);
}

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('layout-cases');
  for (const name of CONTAINERS_IMAGE) await cp(join(THIRDPARTY, 'containers-image-layout', name), join(dir, 'src', name), { recursive: true });
  await cp(join(THIRDPARTY, 'regclient-external'), join(dir, 'src', 'external'), { recursive: true });
  await writeSpecCases(new LayoutWriter(join(dir, 'src', 'spec')));
  // A layout without its oci-layout file (skopeo reads it all the same).
  const bare = new LayoutWriter(join(dir, 'src', 'no-marker'));
  await bare.writeIndex([tagged(await image(bare, 'no marker'), 'v1')], false);
  // Blobs as symlinks into a store beside the layout.
  const linked = new LayoutWriter(join(dir, 'src', 'symlinks'));
  await linked.writeIndex([tagged(await image(linked, 'symlinks'), 'v1')]);
  const blobs = join(dir, 'src', 'symlinks', 'blobs', 'sha256');
  await mkdir(join(dir, 'store'));
  for (const name of await readdir(blobs)) {
    await rename(join(blobs, name), join(dir, 'store', name));
    await symlink(join(dir, 'store', name), join(blobs, name));
  }
});
after(async () => {
  await destroyRegistry(registry);
  await rm(dir, { recursive: true, force: true });
});

/** Tag → digest of a layout's index.json. */
async function layoutTags(layout: string): Promise<Map<string, string>> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  return new Map(index.manifests.flatMap((d) => (d.annotations?.['org.opencontainers.image.ref.name'] ? [[d.annotations['org.opencontainers.image.ref.name'], d.digest] as const] : [])));
}

/** `layout:tag` → [action, detail] of a sync report. */
function rows(report: SyncReport): Map<string, [string, string]> {
  return new Map(report.results.map((r) => [`${r.source.split('/').pop()}:${r.tag}`, [r.targets[0]!.action, r.targets[0]!.detail] as [string, string]]));
}

/** Layouts → `repo` at the registry (with `engine`), a report back. */
async function push(names: string[], repo: string, engine = 'native'): Promise<{ exitCode: number | undefined; report: SyncReport; config: string; output: string }> {
  const config = await writeConfig(join(dir, `push-${repo}`), `version: 1
defaults:
  targets: [${registry.host}/${repo}]
  engine: ${engine}
${registriesYaml([registry])}images:
${names.map((n) => `  - source: oci:${join(dir, 'src', n)}\n`).join('')}`);
  const run = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, `${repo}.json`)], { timeoutMs: 300_000 });
  return { exitCode: run.exitCode, report: JSON.parse(await readFile(join(dir, `${repo}.json`), 'utf8')) as SyncReport, config, output: `${run.stdout}\n${run.stderr}` };
}

/** `repo` at the registry → layouts under back-REPO; the exit code. */
async function pullBack(names: string[], repo: string, engine = 'native'): Promise<void> {
  const config = await writeConfig(join(dir, `back-${repo}`), `version: 1
defaults:
  targets: [oci:${join(dir, `back-${repo}`)}]
  engine: ${engine}
${registriesYaml([registry])}images:
${names.map((n) => `  - source: ${registry.host}/${repo}/${n}\n`).join('')}`);
  const run = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 300_000 });
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
}

/** skopeo's digest of `tag` in the source layout, at the registry, and back in a layout: all `digest`. */
async function assertRoundTrip(name: string, tag: string, digest: string, repo: string): Promise<void> {
  const where = `${name}:${tag}`;
  assert.equal(sha256(await skopeoRawManifest(`oci:${join(dir, 'src', name)}:${tag}`)), digest, `${where} in the source layout`);
  assert.equal(sha256(await skopeoRawManifest(`${registry.host}/${repo}/${name}:${tag}`)), digest, `${where} at the registry`);
  assert.equal((await layoutTags(join(dir, `back-${repo}`, name))).get(tag), digest, `${where} back in index.json`);
  assert.equal(sha256(await skopeoRawManifest(`oci:${join(dir, `back-${repo}`, name)}:${tag}`)), digest, `${where} back in a layout`);
}

test('containers/image\'s and regclient\'s other test layouts: broken tags fail one by one in words that say why, the rest (an absent subject\'s fallback index too) keep their digests there and back', { timeout: 600_000 }, async () => {
  const names = [...CONTAINERS_IMAGE, 'external'];
  const pushed = await push(names, 'thirdparty');
  assert.equal(pushed.exitCode, 1, pushed.output);
  const failed = [...rows(pushed.report)].filter(([, [action]]) => action !== 'copied');
  assert.deepEqual(failed.map(([where]) => where).sort(), ['delete_image_multiple_images:1.0.0', 'delete_image_only_one_image:latest', 'delete_image_shared_blobs_dir:latest', 'delete_image_two_identical_references:1.0.0']);
  const detail = new Map(failed.map(([where, [, d]]) => [where, d]));
  assert.match(detail.get('delete_image_multiple_images:1.0.0')!, /blob sha256:913cf3a39d37[0-9a-f]+: expected 585 bytes, got 584/);
  assert.match(detail.get('delete_image_only_one_image:latest')!, /blob sha256:a527179158cd[0-9a-f]+: expected 585 bytes, got 740/);
  assert.match(detail.get('delete_image_shared_blobs_dir:latest')!, /manifest sha256:eaa95f3cfaac[0-9a-f]+ \(tag latest\) not found/);
  assert.match(detail.get('delete_image_two_identical_references:1.0.0')!, /names tag 1\.0\.0 more than once/);

  // The fallback index without its subject: verified, and planned (and explained) as a tag of its own.
  const orphan = 'external:sha256-dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e';
  await runCli(['verify', '-c', pushed.config, '--no-progress', '--format', 'json', '-o', join(dir, 'thirdparty-verify.json')], { timeoutMs: 300_000 });
  const verified = JSON.parse(await readFile(join(dir, 'thirdparty-verify.json'), 'utf8')) as VerifyReport;
  const external = verified.results.filter((r) => r.source.endsWith('/external')).map((r) => `external:${r.tag} ${r.targets[0]!.status}`);
  assert.deepEqual(external.sort(), ['external:a3 in-sync', 'external:a4 in-sync', `${orphan} in-sync`]);
  const plan = await runCli(['plan', '-c', pushed.config, '--no-progress', '--explain', '--format', 'json', '-o', join(dir, 'thirdparty-plan.json')], { timeoutMs: 300_000 });
  const explained = (JSON.parse(await readFile(join(dir, 'thirdparty-plan.json'), 'utf8')) as { explain: { source: string; tag: string; selected: boolean; rule: string }[] }).explain;
  assert.deepEqual(explained.filter((r) => r.source.endsWith('/external')).map((r) => `external:${r.tag} ${r.selected} ${r.rule}`).sort(), ['external:a3 true every-tag', 'external:a4 true every-tag', `${orphan} true orphan-referrer`], plan.stdout);

  await pullBack(['delete_image_multiple_images', 'external'], 'thirdparty');
  let checked = 0;
  for (const name of ['delete_image_multiple_images', 'external']) {
    for (const [tag, digest] of await layoutTags(join(dir, 'src', name))) {
      if (failed.some(([where]) => where === `${name}:${tag}`)) continue;
      await assertRoundTrip(name, tag, digest, 'thirdparty');
      checked++;
    }
  }
  // 6 of containers/image's 7 tags; regclient's a3, a4 and the fallback index of their absent subject.
  assert.equal(checked, 6 + 3);
});

test('a layout tag no registry accepts as a tag name (a full reference, a path) is one failed row saying what to rename it to; its other tags travel', { timeout: 600_000 }, async () => {
  const w = new LayoutWriter(join(dir, 'src', 'names'));
  const plain = await image(w, 'names');
  // skopeo copy … oci:DIR:docker.io/library/alpine:3.18 writes the whole reference as the name.
  await w.writeIndex([tagged(plain, 'docker.io/library/alpine:3.18'), tagged(plain, 'with/slash'), tagged(plain, 'v1')]);
  assert.equal(sha256(await skopeoRawManifest(`oci:${join(dir, 'src', 'names')}:docker.io/library/alpine:3.18`)), plain.digest, 'skopeo reads the tag');
  const pushed = await push(['names'], 'names');
  assert.equal(pushed.exitCode, 1, pushed.output);
  const got = rows(pushed.report);
  assert.deepEqual([...got.keys()].sort(), ['names:docker.io/library/alpine:3.18', 'names:v1', 'names:with/slash']);
  assert.equal(got.get('names:v1')![0], 'copied');
  const [action, detail] = got.get('names:docker.io/library/alpine:3.18')!;
  assert.equal(action, 'failed');
  assert.match(detail, /source names tag "docker\.io\/library\/alpine:3\.18", which no registry accepts as a tag .*: it reads as a full reference: rename it to "3\.18" in org\.opencontainers\.image\.ref\.name of index\.json/);
  assert.deepEqual(got.get('names:with/slash'), ['failed', 'source names tag "with/slash", which no registry accepts as a tag (letters, digits, _ . -, up to 128, not starting with . or -): rename it in org.opencontainers.image.ref.name of index.json to mirror it']);
  assert.equal(sha256(await skopeoRawManifest(`${registry.host}/names/names:v1`)), plain.digest);
});

test('what the specs allow and test data misses (zstd, empty and helm configs, data, absent subject, 3 nested indexes, sha512 blobs, 4 MiB, no oci-layout, symlinks) keeps every digest there and back, native and skopeo', { timeout: 600_000 }, async () => {
  const names = ['spec', 'no-marker', 'symlinks'];
  for (const engine of ['native', 'skopeo']) {
    const repo = `spec-${engine}`;
    const pushed = await push(names, repo, engine);
    assert.equal(pushed.exitCode, 0, pushed.output);
    await pullBack(names, repo, engine);
    let checked = 0;
    for (const name of names) {
      for (const [tag, digest] of await layoutTags(join(dir, 'src', name))) {
        await assertRoundTrip(name, tag, digest, repo);
        checked++;
      }
    }
    assert.equal(checked, 11 + 1 + 1, engine);
    const verify = await runCli(['verify', '-c', pushed.config, '--no-progress'], { timeoutMs: 300_000 });
    assert.equal(verify.exitCode, 0, `${engine}: ${verify.stdout}\n${verify.stderr}`);
  }
});

test('a sha512 manifest is the same manifest at a registry that names it by sha256: copied once, then in place for sync and verify, native and skopeo', { timeout: 600_000 }, async () => {
  const w = new LayoutWriter(join(dir, 'src', 'sha512'));
  const manifest = await image(w, 'sha512', 'sha512');
  await w.writeIndex([tagged(manifest, 'v1')]);
  const bytes = await readFile(join(dir, 'src', 'sha512', 'blobs', 'sha512', manifest.digest.slice('sha512:'.length)));
  for (const engine of ['native', 'skopeo']) {
    const repo = `sha512-${engine}`;
    const first = await push(['sha512'], repo, engine);
    assert.equal(first.exitCode, 0, first.output);
    assert.deepEqual(rows(first.report).get('sha512:v1')?.[0], 'copied');
    // distribution names it by sha256 (a PUT by sha512 is DIGEST_INVALID): the same bytes.
    assert.deepEqual(await skopeoRawManifest(`${registry.host}/${repo}/sha512:v1`), bytes, `${engine}: the bytes at the registry`);
    const again = await push(['sha512'], repo, engine);
    assert.equal(again.exitCode, 0, again.output);
    assert.deepEqual(rows(again.report).get('sha512:v1'), ['skip', ''], `${engine}: a second sync`);
    const verify = await runCli(['verify', '-c', first.config, '--no-progress'], { timeoutMs: 300_000 });
    assert.equal(verify.exitCode, 0, `${engine}: ${verify.stdout}\n${verify.stderr}`);
  }
});
