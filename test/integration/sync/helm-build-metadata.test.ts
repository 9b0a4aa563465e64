// A Helm chart version with build metadata (1.2.3+build.4): a tag cannot hold `+`, so `helm push`
// stores it under the tag 1.2.3_build.4 and `helm pull --version 1.2.3+build.4` reads it there.
// regmirror took that tag for no version: a `semver` range dropped it from a backfill ("not a
// semver version"), and `sync --tag 1.2.3+build.4` failed ("source has no tag 1.2.3+build.4").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { digestOf, listTags, pushBlob, pushManifest, tarWithOneFile, type PushTarget } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let cfg: string;
const chartDigests = new Map<string, string>();

// What `helm push` writes: the chart's Chart.yaml as config, the .tgz, and its .prov when signed.
async function pushChart(target: PushTarget, version: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ apiVersion: 'v2', name: 'app', version }));
  const chart = gzipSync(tarWithOneFile('app/Chart.yaml', Buffer.from(`apiVersion: v2\nname: app\nversion: ${version}\n`)));
  const prov = Buffer.from(`-----BEGIN PGP SIGNED MESSAGE-----\nname: app\nversion: ${version}\n`);
  for (const blob of [config, chart, prov]) await pushBlob(target, 'jetstack/charts/app', blob);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [
      { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: digestOf(chart), size: chart.length },
      { mediaType: 'application/vnd.cncf.helm.chart.provenance.v1.prov', digest: digestOf(prov), size: prov.length },
    ],
    annotations: { 'org.opencontainers.image.title': 'app', 'org.opencontainers.image.version': version },
  }));
  return pushManifest(target, 'jetstack/charts/app', version.replaceAll('+', '_'), manifest, 'application/vnd.oci.image.manifest.v1+json');
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  for (const version of ['0.9.0', '1.2.3', '1.2.3+build.4']) chartDigests.set(version.replaceAll('+', '_'), await pushChart({ url: src.url }, version));
  const dir = await scratchDir('helm-build-metadata');
  cfg = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/charts]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/charts/app
    tags: { semver: ">=1.0.0" }
`);
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('sync --tag 1.2.3+build.4 copies the chart helm stored as 1.2.3_build.4', async () => {
  const sync = await runCli(['sync', '-c', cfg, '--tag', '1.2.3+build.4', '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.doesNotMatch(sync.stdout, /source has no tag/);
  assert.deepEqual(await listTags({ url: dst.url }, 'charts/app'), ['1.2.3_build.4']);
  assert.equal(await skopeoDigestVerified(`${dst.host}/charts/app:1.2.3_build.4`, dst.certDir!), chartDigests.get('1.2.3_build.4'));
});

test('a semver range selects the build-metadata chart version as the release it is; verify agrees', async () => {
  const sync = await runCli(['sync', '-c', cfg, '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.deepEqual((await listTags({ url: dst.url }, 'charts/app')).sort(), ['1.2.3', '1.2.3_build.4']);
  for (const tag of ['1.2.3', '1.2.3_build.4']) {
    assert.equal(await skopeoDigestVerified(`${dst.host}/charts/app:${tag}`, dst.certDir!), chartDigests.get(tag));
  }
  const verify = await runCli(['verify', '-c', cfg, '--no-progress', '--format', 'json']);
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  const report = JSON.parse(verify.stdout) as { results: { tag: string; targets: { status: string }[] }[] };
  assert.deepEqual(report.results.map((r) => [r.tag, r.targets[0]!.status]).sort(), [['1.2.3', 'in-sync'], ['1.2.3_build.4', 'in-sync']]);
});

test('explicit: ["1.2.3+build.4"] in mirrors.yaml names that chart as --tag does', async () => {
  const explicit = await writeConfig(await scratchDir('helm-build-metadata-explicit'), `version: 1
defaults:
  targets: [${dst.host}/explicit]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/charts/app
    tags: { semver: ">=2.0.0", explicit: ["1.2.3+build.4"] }
`);
  const plan = await runCli(['plan', '-c', explicit, '--no-progress', '--format', 'json']);
  assert.equal(plan.exitCode, 0, plan.stdout + plan.stderr);
  const report = JSON.parse(plan.stdout) as { results: { tag: string; sourceDigest: string }[] };
  assert.deepEqual(report.results.map((r) => [r.tag, r.sourceDigest]), [['1.2.3_build.4', chartDigests.get('1.2.3_build.4')]]);
});
