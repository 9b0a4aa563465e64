// Tags at one digest (v1.2.3, 1.2.3 and latest) share its referrers: the run copies them once, under
// the first tag. When one of them cannot be placed at a target (the target refuses its media type,
// or a blob of it is gone at the source), every tag at that digest fails with the reason, where
// the tags after the first used to say `copied` with nothing left to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { retag, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoRawDigest } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';
import type { SyncReport } from '../../../src/report/model.js';

/** The artifact type of seedImage's OCI 1.1 referrer, which the target refuses. */
const SBOM_TYPE = 'application/vnd.regmirror.test.sbom.v1+json';
const TAGS = ['1.2.3', 'latest', 'v1.2.3'];

let src: RunningRegistry;
let dst: RunningRegistry;
let pDst: FaultProxy;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pDst = await proxyFor(dst, { personalities: [quay({ hideAbsent: false, refusedConfigTypes: [SBOM_TYPE] }).play] });
  dir = await scratchDir('shared-digest-referrers');
});

after(async () => {
  await pDst?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

/** Seeds `repo` at v1.2.3 with the referrers asked for, and points 1.2.3 and latest at it. */
async function seed(repo: string, referrers: { signature?: boolean; ociReferrer?: boolean }): Promise<SeededImage> {
  const push = { url: src.url };
  const [image] = (await seedImage(push, { repository: `jetstack/${repo}`, tags: ['v1.2.3'], format: 'oci', platforms: 2, ...referrers })) as [SeededImage];
  for (const tag of ['1.2.3', 'latest']) await retag(push, `jetstack/${repo}`, 'v1.2.3', tag);
  return image;
}

async function sync(repo: string): Promise<{ exitCode: number | undefined; report: SyncReport; output: string }> {
  const file = await writeConfig(join(dir, repo), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/${repo}
`);
  const out = join(dir, repo, 'report.json');
  const run = await runCli(['sync', '-c', file, '--endpoint', `${dst.host}=${pDst.url}`, '--report', out], {});
  return { exitCode: run.exitCode, report: JSON.parse(await readFile(out, 'utf8')) as SyncReport, output: run.stderr + run.stdout };
}

function rows(report: SyncReport) {
  return report.results.flatMap((r) => r.targets.map((t) => ({ tag: r.tag, ...t }))).sort((a, b) => (a.tag < b.tag ? -1 : 1));
}

test('a referrer the target refuses fails every tag at that digest, copied once and reported by all', async () => {
  const image = await seed('refused', { signature: true, ociReferrer: true });
  const run = await sync('refused');
  assert.equal(run.exitCode, 1, run.output);
  const all = rows(run.report);
  assert.deepEqual(all.map((r) => [r.tag, r.action]), TAGS.map((t) => [t, 'failed']), run.output);
  for (const r of all) assert.ok(r.detail.includes(`unsupported config media type ${SBOM_TYPE}`), `${r.tag}: ${r.detail}`);
  assert.equal(run.report.summary.failed, 3);
  // The signature was copied, once, under one tag; the images themselves are in place.
  assert.equal(all.reduce((n, r) => n + r.referrers, 0), 1);
  const sig = `${image.digest.replace(':', '-')}.sig`;
  assert.equal(await skopeoRawDigest(dst, 'cert-manager/refused', sig), image.referrerTags[sig]);
  for (const tag of TAGS) assert.equal(await skopeoRawDigest(dst, 'cert-manager/refused', tag), image.digest);

  // The refusal stays, and so does every tag's report of it.
  const again = await sync('refused');
  assert.equal(again.exitCode, 1, again.output);
  assert.deepEqual(rows(again.report).map((r) => [r.tag, r.action]), TAGS.map((t) => [t, 'failed']), again.output);
});

test('a referrer whose blob is gone at the source fails every tag at that digest', async () => {
  const image = await seed('gone', { signature: true });
  const sig = `${image.digest.replace(':', '-')}.sig`;
  const manifest = (await (await fetch(`${src.url}/v2/jetstack/gone/manifests/${sig}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).json()) as { layers: { digest: string }[] };
  const payload = manifest.layers[0]!.digest;
  assert.equal((await fetch(`${src.url}/v2/jetstack/gone/blobs/${payload}`, { method: 'DELETE' })).status, 202);
  const run = await sync("gone"); console.log(run.output);
  assert.equal(run.exitCode, 1, run.output);
  const all = rows(run.report);
  assert.deepEqual(all.map((r) => [r.tag, r.action]), TAGS.map((t) => [t, 'failed']), run.output);
  for (const r of all) assert.match(r.detail, new RegExp(`${sig}: .*${payload}`), `${r.tag}: ${r.detail}`);
});
