// engine: skopeo over other projects' OCI layouts (test/fixtures/thirdparty): go-containerregistry's
// test layouts have tags skopeo cannot read (a Docker manifest list, a descriptor media type in
// index.json), which `plan` must call failed in sync's own words, since sync fails them.
// From a registry, ggcr's indexes name a Docker manifest as an OCI manifest: skopeo would have to
// rewrite them ("Manifest list must be converted … Instructed to preserve digests"), so they go
// through the native copier, byte for byte into a layout or a registry, and plan says so too.
// regclient's testrepo nests indexes (child, loop, fallback indexes of referrers): skopeo copies
// some of its tags and the native copier the referrer tags, and the two never write one manifest at
// once nor twice (distribution answered such races with 400 DIGEST_INVALID or MANIFEST_BLOB_UNKNOWN).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { manifestPuts, overlappingPuts } from '../../harness/personalities/manifest-puts.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { sha256 } from '../../../src/types/digest.js';

const THIRDPARTY = join(repoRoot(), 'test', 'fixtures', 'thirdparty');
const GGCR = join(THIRDPARTY, 'ggcr-layout');
/** The tags of ggcr's layouts skopeo 1.9 skips in index.json, and the media type each entry has. */
const UNREADABLE: Record<string, string> = {
  'test_index:2': 'application/vnd.oci.descriptor.v1+json',
  'test_index:4': 'application/vnd.docker.distribution.manifest.list.v2+json',
  'test_gc_index:4': 'application/vnd.docker.distribution.manifest.list.v2+json',
};

let registry: RunningRegistry;
let dir: string;
/** In front of the registry: every manifest PUT recorded, each held 200 ms (a slower registry), so racing PUTs overlap. */
let proxy: FaultProxy;
const recorder = manifestPuts({ holdMs: 200 });

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('thirdparty-skopeo');
  proxy = await proxyFor(registry, { personalities: [recorder.personality] });
  for (const name of ['test_index', 'test_gc_index']) await cp(join(GGCR, name), join(dir, 'src', name), { recursive: true });
  await cp(join(THIRDPARTY, 'regclient-testrepo'), join(dir, 'src', 'testrepo'), { recursive: true });
});
after(async () => {
  await proxy?.close();
  await destroyRegistry(registry);
});

/** `layout:tag` → [action, detail] for every row of a report. */
function rows(report: SyncReport): Map<string, [string, string]> {
  return new Map(report.results.map((r) => [`${r.source.split('/').pop()}:${r.tag}`, [r.targets[0]!.action, r.targets[0]!.detail] as [string, string]]));
}

type LayoutIndex = { manifests: { digest: string; annotations?: Record<string, string> }[] };

/** A layout's tags → digests, sorted by tag. */
function tagsOf(index: LayoutIndex): Map<string, string> {
  const tags = index.manifests.flatMap((d) => (d.annotations?.['org.opencontainers.image.ref.name'] ? [[d.annotations['org.opencontainers.image.ref.name'], d.digest] as const] : []));
  return new Map(tags.sort(([a], [b]) => a.localeCompare(b)));
}

/** `layout:tag → target` → [action, detail] for every target of every row of a report. */
function targetRows(report: SyncReport): Map<string, [string, string]> {
  return new Map(report.results.flatMap((r) => r.targets.map((t) => [`${r.source.split('/').pop()}:${r.tag} → ${t.repository}`, [t.action, t.detail] as [string, string]])));
}

test('plan with engine: skopeo calls the layout tags skopeo cannot read failed, with the line sync fails them with', { timeout: 600_000 }, async () => {
  const config = await writeConfig(join(dir, 'plan'), `version: 1
defaults:
  targets: [${registry.host}/mirror]
  engine: skopeo
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'test_index')}
  - source: oci:${join(dir, 'src', 'test_gc_index')}
`);
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', '-o', join(dir, 'plan.json')], { timeoutMs: 300_000 });
  assert.equal(plan.exitCode, 0, `${plan.stdout}\n${plan.stderr}`);
  const planned = rows(JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as SyncReport);
  const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'sync.json')], { timeoutMs: 300_000 });
  assert.equal(sync.exitCode, 1, `${sync.stdout}\n${sync.stderr}`);
  const synced = rows(JSON.parse(await readFile(join(dir, 'sync.json'), 'utf8')) as SyncReport);

  assert.deepEqual([...planned.keys()].sort(), [...synced.keys()].sort());
  for (const [where, [action, detail]] of synced) {
    const mediaType = UNREADABLE[where];
    if (!mediaType) {
      assert.equal(action, 'copied', `${where}: ${detail}`);
      assert.deepEqual(planned.get(where), ['copy', ''], where);
      continue;
    }
    assert.equal(action, 'failed', where);
    assert.match(detail, new RegExp(`engine: skopeo cannot read tag ${where.split(':')[1]}, whose index\\.json entry has media type "${mediaType.replace(/[.+]/g, '\\$&')}"`));
    assert.deepEqual(planned.get(where), ['failed', detail], `${where}: planned as sync failed it`);
  }
});

test('from a registry, engine: skopeo copies ggcr\'s indexes that name a Docker manifest as an OCI one (native copier) into a layout and a registry, as planned', { timeout: 600_000 }, async () => {
  // Every tag, Docker manifest lists included, pushed by regmirror's own copier first.
  const push = await writeConfig(join(dir, 'ggcr-push'), `version: 1
defaults:
  targets: [${registry.host}/ggcr]
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'test_index')}
  - source: oci:${join(dir, 'src', 'test_gc_index')}
`);
  const pushed = await runCli(['sync', '-c', push, '--no-progress'], { timeoutMs: 300_000 });
  assert.equal(pushed.exitCode, 0, `${pushed.stdout}\n${pushed.stderr}`);
  const layouts = join(dir, 'from-registry');
  const config = await writeConfig(join(dir, 'pull'), `version: 1
defaults:
  targets: [oci:${layouts}, ${registry.host}/back]
  engine: skopeo
${registriesYaml([registry])}images:
  - source: ${registry.host}/ggcr/test_index
  - source: ${registry.host}/ggcr/test_gc_index
`);
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', '-o', join(dir, 'pull-plan.json')], { timeoutMs: 300_000 });
  assert.equal(plan.exitCode, 0, `${plan.stdout}\n${plan.stderr}`);
  const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'pull.json')], { timeoutMs: 300_000 });
  const synced = targetRows(JSON.parse(await readFile(join(dir, 'pull.json'), 'utf8')) as SyncReport);
  assert.deepEqual([...synced].filter(([, [action]]) => action !== 'copied'), [], 'every tag copied to both targets');
  assert.equal(sync.exitCode, 0, `${sync.stdout}\n${sync.stderr}`);
  const planned = targetRows(JSON.parse(await readFile(join(dir, 'pull-plan.json'), 'utf8')) as SyncReport);
  assert.deepEqual([...planned.keys()].sort(), [...synced.keys()].sort());
  assert.deepEqual([...new Set([...planned.values()].map(([action, detail]) => `${action}${detail}`))], ['copy'], 'planned as sync copied them');

  // Byte for byte: every tag names the source's digest, whose bytes the layout holds, and skopeo
  // reads that digest at the registry. (skopeo 1.9 cannot read the layouts back: the Docker
  // manifests it wrote itself, tags 1 and 2, it lists under their Docker type, which it skips.)
  for (const name of ['test_index', 'test_gc_index']) {
    const wanted = tagsOf(JSON.parse(await readFile(join(GGCR, name, 'index.json'), 'utf8')) as LayoutIndex);
    const written = tagsOf(JSON.parse(await readFile(join(layouts, name, 'index.json'), 'utf8')) as LayoutIndex);
    assert.deepEqual(written, wanted, `oci ${name}`);
    for (const [tag, digest] of wanted) {
      assert.equal(sha256(await readFile(join(layouts, name, 'blobs', 'sha256', digest.slice(7)))), digest, `oci ${name}:${tag}`);
      assert.equal(sha256(await skopeoRawManifest(`${registry.host}/back/${name}:${tag}`)), digest, `back/${name}:${tag}`);
    }
  }
});

test('engine: skopeo and the native copier (referrer tags) take turns over testrepo\'s shared manifests: none PUT twice at once or again, every digest kept', { timeout: 600_000 }, async () => {
  const config = await writeConfig(join(dir, 'turns'), `version: 1
defaults:
  targets: [${proxy.host}/turns]
  engine: skopeo
${registriesYaml([{ host: proxy.host, caFile: registry.caFile }])}images:
  - source: oci:${join(dir, 'src', 'testrepo')}
`);
  const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'turns.json')], { timeoutMs: 300_000 });
  assert.equal(sync.exitCode, 0, `${sync.stdout}\n${sync.stderr}`);
  const puts = recorder.puts.filter((p) => p.repository === 'turns/testrepo');
  assert.ok(puts.some((p) => p.client === 'skopeo') && puts.some((p) => p.client === 'regmirror'), 'both copiers wrote');
  assert.deepEqual(overlappingPuts(puts), [], 'no manifest PUT while another PUT of it was under way');
  // What skopeo placed the native copier finds placed: it never PUTs that manifest by digest again.
  const again = puts.filter((p) => p.client === 'regmirror' && p.reference.startsWith('sha256:') && puts.some((s) => s.client === 'skopeo' && s.digest === p.digest && s.ended < p.began));
  assert.deepEqual(again.map((p) => p.digest), [], 'manifests skopeo had placed, PUT again by the native copier');

  const index = JSON.parse(await readFile(join(dir, 'src', 'testrepo', 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const tags = index.manifests.flatMap((d) => (d.annotations?.['org.opencontainers.image.ref.name'] ? [[d.annotations['org.opencontainers.image.ref.name'], d.digest] as const] : []));
  assert.equal(tags.length, 24);
  for (const [tag, digest] of tags) assert.equal(sha256(await skopeoRawManifest(`${registry.host}/turns/testrepo:${tag}`)), digest, tag);

  const before = recorder.puts.length;
  const second = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'turns-again.json')], { timeoutMs: 300_000 });
  assert.equal(second.exitCode, 0, `${second.stdout}\n${second.stderr}`);
  assert.equal(recorder.puts.length, before, 'a second sync PUTs no manifest');
  const report = JSON.parse(await readFile(join(dir, 'turns-again.json'), 'utf8')) as SyncReport;
  assert.deepEqual([...new Set(report.results.flatMap((r) => r.targets.map((t) => t.action)))], ['skip']);
});
