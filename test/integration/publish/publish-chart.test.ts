// `regmirror publish` of a Helm chart (publish3 hunt): a binaries entry whose artifactType is
// Helm's config media type is pushed as `helm push` does, so helm pulls it: the chart's Chart.yaml
// as a helm config, the .tgz as the chart layer. It was pushed as an oras artifact (empty config,
// tar layer), exit 0, which helm refuses ("could not load config with mediatype …"). The chart's
// version must be the --tag. skopeo reads every digest and the config; the chart comes back byte for byte.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { getManifestDigest, listTags } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import type { SyncReport } from '../../../src/report/model.js';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let reg: RunningRegistry;
let work: string;
let cfg: string;

/** `helm package`'s layout: NAME/Chart.yaml and templates, gzipped tar, in `dir` as NAME-VERSION.tgz. */
async function packageChart(dir: string, version: string): Promise<Buffer> {
  const src = join(work, `src-${version}`);
  await mkdir(join(src, 'cert-manager', 'templates'), { recursive: true });
  await writeFile(join(src, 'cert-manager', 'Chart.yaml'), `apiVersion: v2\nname: cert-manager\nversion: ${version}\nappVersion: ${version}\ndescription: A Helm chart for cert-manager\nhome: https://cert-manager.io\n`);
  await writeFile(join(src, 'cert-manager', 'templates', 'deployment.yaml'), 'kind: Deployment\n');
  await mkdir(dir, { recursive: true });
  await execa('tar', ['-C', src, '-czf', join(dir, `cert-manager-${version}.tgz`), 'cert-manager']);
  return readFile(join(dir, `cert-manager-${version}.tgz`));
}

before(async () => {
  reg = await startRegistry({ tls: true });
  work = await scratchDir('publish-chart');
  cfg = await writeConfig(work, `version: 1
defaults:
  targets: [${reg.host}/cert-manager, ${reg.host}/mirror]
${registriesYaml([reg])}binaries:
  - name: charts/cert-manager
    artifactType: application/vnd.cncf.helm.config.v1+json
    files: ["cert-manager-*.tgz"]
`);
});
after(() => destroyRegistry(reg));

const publish = (tag: string, dir: string, report: string) => runCli(['publish', '-c', cfg, '--tag', tag, '--dir', dir, '--no-progress', '--format', 'json', '-o', join(work, report)]);

test('a chart is pushed as helm push does: helm config from Chart.yaml, the .tgz as the chart layer, byte for byte; a rerun skips it', async () => {
  const dist = join(work, 'dist');
  const tgz = await packageChart(dist, 'v1.16.0');
  const run = await publish('v1.16.0', dist, 'first.json');
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const digest = (JSON.parse(await readFile(join(work, 'first.json'), 'utf8')) as SyncReport).results[0]!.sourceDigest!;
  for (const ns of ['cert-manager', 'mirror']) {
    const raw = await skopeoRawManifest(`${reg.host}/${ns}/charts/cert-manager:v1.16.0`);
    assert.equal(`sha256:${hex(raw)}`, digest, `${ns}: skopeo reads the digest the report gives`);
    assert.equal(await getManifestDigest({ url: reg.url }, `${ns}/charts/cert-manager`, 'v1.16.0'), digest);
    const m = JSON.parse(raw.toString('utf8')) as { mediaType: string; artifactType?: string; config: { mediaType: string; digest: string }; layers: object[]; annotations: Record<string, string> };
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(m.config.mediaType, 'application/vnd.cncf.helm.config.v1+json', 'helm pull needs its config media type');
    assert.equal(m.artifactType, undefined, 'helm push sets none');
    assert.deepEqual(m.layers, [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: `sha256:${hex(tgz)}`, size: tgz.length, annotations: { 'org.opencontainers.image.title': 'cert-manager-v1.16.0.tgz' } }]);
    assert.deepEqual(m.annotations, { 'org.opencontainers.image.title': 'cert-manager', 'org.opencontainers.image.description': 'A Helm chart for cert-manager', 'org.opencontainers.image.version': 'v1.16.0' });
    const config = Buffer.from(await (await fetch(`${reg.url}/v2/${ns}/charts/cert-manager/blobs/${m.config.digest}`)).arrayBuffer());
    assert.deepEqual(JSON.parse(config.toString('utf8')), { name: 'cert-manager', home: 'https://cert-manager.io', version: 'v1.16.0', description: 'A Helm chart for cert-manager', apiVersion: 'v2', appVersion: 'v1.16.0' });
    const chart = Buffer.from(await (await fetch(`${reg.url}/v2/${ns}/charts/cert-manager/blobs/sha256:${hex(tgz)}`)).arrayBuffer());
    assert.ok(chart.equals(tgz), 'the chart comes back byte for byte');
  }
  const again = await publish('v1.16.0', dist, 'again.json');
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal((JSON.parse(await readFile(join(work, 'again.json'), 'utf8')) as SyncReport).summary.skipped, 2, 'the same chart gives the same digest: nothing to push');
});

test('a chart whose Chart.yaml version is not the --tag: one line naming both, exit 2, nothing pushed', async () => {
  const dist = join(work, 'other');
  await packageChart(dist, 'v1.17.0');
  const run = await publish('v1.17.1', dist, 'mismatch.json');
  assert.equal(run.exitCode, 2, run.stderr + run.stdout);
  assert.equal(run.stderr.trim(), 'regmirror: binaries "charts/cert-manager": cert-manager-v1.17.0.tgz is chart cert-manager version v1.17.0 (its Chart.yaml), not v1.17.1 (--tag): helm pulls a chart by its version, so publish it with --tag v1.17.0, or package the chart as v1.17.1');
  assert.deepEqual((await listTags({ url: reg.url }, 'cert-manager/charts/cert-manager')).filter((t) => t.startsWith('v1.17')), []);
});

test('a chart versioned 1.19.0 in a release tagged v1.19.0 (its binaries\' --tag) goes under 1.19.0, where helm pull --version 1.19.0 looks', async () => {
  const dist = join(work, 'unprefixed');
  await packageChart(dist, '1.19.0');
  const run = await publish('v1.19.0', dist, 'unprefixed.json');
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, /charts\/cert-manager:1\.19\.0 → .*\/cert-manager\/charts\/cert-manager: copied/);
  const digest = (JSON.parse(await readFile(join(work, 'unprefixed.json'), 'utf8')) as SyncReport).results[0]!.sourceDigest!;
  assert.equal(`sha256:${hex(await skopeoRawManifest(`${reg.host}/cert-manager/charts/cert-manager:1.19.0`))}`, digest);
  assert.equal(await getManifestDigest({ url: reg.url }, 'cert-manager/charts/cert-manager', 'v1.19.0'), undefined, 'no tag helm would not look for');
});

test('a file under the glob that is no chart: one line, exit 2', async () => {
  const dist = join(work, 'notachart');
  await mkdir(dist, { recursive: true });
  await writeFile(join(dist, 'cert-manager-v1.18.0.tgz'), 'not gzip at all');
  const run = await publish('v1.18.0', dist, 'notachart.json');
  assert.equal(run.exitCode, 2, run.stderr + run.stdout);
  assert.match(run.stderr, /^regmirror: binaries "charts\/cert-manager": cert-manager-v1\.18\.0\.tgz: not a packaged Helm chart \(a gzipped tar, as `helm package` writes\): .+\n$/);
});
