// Backfill and air-gap paths end to end: --shard partitions, report merge, --dry-run, --tag,
// OCI layout targets, and the skopeo engine — each checked by digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifestDigest, listTags, seedImage, type PushTarget } from '../../harness/seed.js';
import { skopeoDigest, skopeoRawManifest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { createHash } from 'node:crypto';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;
const push = (): PushTarget => ({ url: reg.url });
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.2.1', 'v1.3.0-rc.1', 'v1.3.0', 'v2.0.0', '2.0.0', 'v2.0'];

before(async () => {
  reg = await startRegistry({ tls: true }); // over TLS, trusted by caFile (issue 9)
  dir = await scratchDir('shards');
  await Promise.all([
    seedImage(push(), { repository: 'jetstack/cainjector', tags: TAGS, format: 'oci', platforms: 2, signature: true }),
    seedImage(push(), { repository: 'jetstack/acmesolver', tags: TAGS, format: 'docker', platforms: 2 }),
  ]);
});

after(async () => reg?.stop());

async function config(name: string, targets: string, defaults = ''): Promise<string> {
  return writeConfig(
    join(dir, name),
    `version: 1
defaults:
  targets: [${targets}]
  tags: { semver: ">=1.1.0" }
${defaults}registries:
  ${reg.host}: { caFile: ${reg.caFile} }
images:
  - source: ${reg.host}/jetstack/cainjector
  - source: ${reg.host}/jetstack/acmesolver
`,
  );
}

test('shards are disjoint, cover every item, and merge into the report of one whole run', async () => {
  const cfg = await config('shards', `${reg.host}/sharded`);
  const plan = await runCli(['plan', '-c', cfg, '--format', 'json']);
  assert.equal(plan.exitCode, 0, plan.stderr);
  const whole = JSON.parse(plan.stdout) as SyncReport;
  assert.equal(whole.kind, 'plan');
  // semver >=1.1.0 without prereleases: v1.1.0 v1.2.0 v1.2.1 v1.3.0 v2.0.0 2.0.0 per image.
  assert.deepEqual([...new Set(whole.results.map((r) => r.tag))].sort(), ['2.0.0', 'v1.1.0', 'v1.2.0', 'v1.2.1', 'v1.3.0', 'v2.0.0']);
  assert.deepEqual(await listTags(push(), 'sharded/cainjector'), [], 'plan writes nothing');

  const reports: string[] = [];
  for (const k of [1, 2, 3]) {
    const file = join(dir, `shard-${k}.json`);
    const run = await runCli(['sync', '-c', cfg, '--shard', `${k}/3`, '--report', file, '-q']);
    assert.equal(run.exitCode, 0, run.stderr);
    reports.push(file);
  }
  const parts = await Promise.all(reports.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as SyncReport));
  const keys = parts.flatMap((p) => p.results.map((r) => `${r.source} ${r.tag}`));
  assert.equal(new Set(keys).size, keys.length, 'no (repository, tag) in two shards');
  assert.equal(keys.length, whole.results.length, 'together the shards cover everything');

  const merged = join(dir, 'merged.json');
  const m = await runCli(['report', 'merge', ...reports, '-o', merged]);
  assert.equal(m.exitCode, 0, m.stderr);
  const mergedReport = JSON.parse(await readFile(merged, 'utf8')) as SyncReport;
  assert.equal(mergedReport.summary.copied, whole.results.length);
  const rendered = await runCli(['report', 'render', merged, '--format', 'markdown']);
  assert.equal(rendered.exitCode, 0);
  assert.match(rendered.stdout, /\|/);

  const verify = await runCli(['verify', '-c', cfg, '--format', 'json']);
  assert.equal(verify.exitCode, 0, verify.stdout);
  const v = JSON.parse(verify.stdout) as VerifyReport;
  assert.equal(v.summary.inSync, whole.results.length);
});

test('--tag v2.0.0 copies the release in both spellings, and --dry-run writes nothing', async () => {
  const cfg = await config('tag', `${reg.host}/release`);
  const dry = await runCli(['sync', '-c', cfg, '--tag', 'v2.0.0', '--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.deepEqual(await listTags(push(), 'release/acmesolver'), []);
  const run = await runCli(['sync', '-c', cfg, '--tag', 'v2.0.0', '--format', 'json']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(await listTags(push(), 'release/acmesolver'), ['2.0.0', 'v2.0.0']);
  const missing = await runCli(['sync', '-c', cfg, '--tag', 'v9.9.9']);
  assert.equal(missing.exitCode, 1, 'a release tag the source lacks fails the job');
  assert.match(missing.stdout + missing.stderr, /v9\.9\.9/);
});

test('an OCI layout target holds one layout per repository that skopeo reads with the same digests', async () => {
  const layout = join(dir, 'airgap');
  const cfg = await config('layout', `oci:${layout}`);
  const run = await runCli(['sync', '-c', cfg, '-q']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  // skopeo 1.9 reads OCI-typed entries of a layout; it cannot see Docker-typed ones (kept byte
  // for byte, so their digest holds), which are checked from index.json directly.
  const ociWant = await getManifestDigest(push(), 'jetstack/cainjector', 'v1.2.1');
  const raw = await skopeoRawManifest(`oci:${join(layout, 'cainjector')}:v1.2.1`);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, ociWant);
  const index = JSON.parse(await readFile(join(layout, 'acmesolver', 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1.2.1');
  assert.equal(entry?.digest, await getManifestDigest(push(), 'jetstack/acmesolver', 'v1.2.1'));
  const blob = await readFile(join(layout, 'acmesolver', 'blobs', 'sha256', entry!.digest.slice(7)));
  assert.equal(`sha256:${createHash('sha256').update(blob).digest('hex')}`, entry!.digest);
  const again = await runCli(['verify', '-c', cfg, '--format', 'json']);
  assert.equal(again.exitCode, 0, again.stdout);
});

test('engine: skopeo copies through skopeo and keeps every digest', async () => {
  const cfg = await config('skopeo', `${reg.host}/viaskopeo`, '  engine: skopeo\n');
  const run = await runCli(['sync', '-c', cfg, '--tag', 'v1.2.1']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const repo of ['cainjector', 'acmesolver']) {
    assert.equal(await skopeoDigest(`docker://${reg.host}/viaskopeo/${repo}:v1.2.1`), await getManifestDigest(push(), `jetstack/${repo}`, 'v1.2.1'));
  }
  const sig = (await listTags(push(), 'viaskopeo/cainjector')).filter((t) => t.endsWith('.sig'));
  assert.equal(sig.length, 1, 'the signature travelled through skopeo too');
});
