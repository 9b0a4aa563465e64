// A Helm chart entry as publish builds it: Chart.yaml found at the archive's top directory, the
// version held against the tag (build metadata in helm's `_` spelling), and the .prov as its layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chartYamlOf } from '../../../src/publish/chart-archive.js';
import { chartArtifact, HELM_CHART, HELM_CONFIG, HELM_PROV } from '../../../src/publish/helm-chart.js';
import type { ReleaseFile } from '../../../src/publish/files.js';
import { UsageError } from '../../../src/types/errors.js';
import { digestOf, tarWithOneFile } from '../../harness/seed.js';
import { scratchDir } from '../../harness/scratch.js';

/** A tar of several entries (each tarWithOneFile without its two end blocks). */
const tarOf = (entries: [string, string][]) => Buffer.concat([...entries.map(([n, c]) => tarWithOneFile(n, Buffer.from(c)).subarray(0, -1024)), Buffer.alloc(1024)]);

async function chartFile(dir: string, name: string, bytes: Buffer): Promise<ReleaseFile> {
  await writeFile(join(dir, name), bytes);
  return { name, path: join(dir, name), digest: digestOf(bytes), size: bytes.length };
}

test('Chart.yaml is the one at the top directory, not a subchart\'s', async () => {
  const tar = tarOf([['app/charts/sub/Chart.yaml', 'name: sub\n'], ['app/values.yaml', 'x: 1\n'], ['app/Chart.yaml', 'name: app\n']]);
  assert.equal(await chartYamlOf(gzipSync(tar)), 'name: app\n');
  assert.equal(await chartYamlOf(gzipSync(tarOf([['app/values.yaml', 'x: 1\n']]))), undefined);
  const whole = gzipSync(tarOf([['app/Chart.yaml', 'name: app\n']]));
  await assert.rejects(chartYamlOf(whole.subarray(0, whole.length - 12)), /unexpected end of file/);
  await assert.rejects(chartYamlOf(Buffer.from('not a chart at all, nor a tar '.repeat(40))), /TAR_/);
});

test('a chart with build metadata under helm\'s tag, its .prov as the provenance layer', async () => {
  const dir = await scratchDir('helm-chart');
  const tgz = gzipSync(tarOf([['app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.2.3+build.4\nkeywords: []\n']]));
  const files = [await chartFile(dir, 'app-1.2.3+build.4.tgz', tgz), await chartFile(dir, 'app-1.2.3+build.4.tgz.prov', Buffer.from('signed'))];
  const a = await chartArtifact(files, '1.2.3_build.4', 'binaries "app"');
  assert.equal(a.tag, '1.2.3_build.4');
  const m = JSON.parse(Buffer.from(a.root.bytes).toString('utf8')) as { config: { mediaType: string; digest: string }; layers: { mediaType: string }[] };
  assert.equal(m.config.mediaType, HELM_CONFIG);
  assert.equal(m.config.digest, a.config.descriptor.digest);
  assert.deepEqual(m.layers.map((l) => l.mediaType), [HELM_CHART, HELM_PROV]);
  assert.equal(a.config.bytes.toString('utf8'), '{"name":"app","version":"1.2.3+build.4","apiVersion":"v2"}', 'helm\'s field order, empty ones left out');
});

test('what is not one chart, or not the tag\'s version: one line each', async () => {
  const dir = await scratchDir('helm-chart');
  const tgz = gzipSync(tarOf([['app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.1.0\n']]));
  const chart = await chartFile(dir, 'app-0.1.0.tgz', tgz);
  const other = await chartFile(dir, 'app-0.2.0.tgz', tgz);
  const refused = (files: ReleaseFile[], tag: string, words: RegExp) => assert.rejects(chartArtifact(files, tag, 'binaries "app"'), (e: unknown) => e instanceof UsageError && words.test(e.message));
  await refused([chart, other], '0.1.0', /^binaries "app": a Helm chart entry \(artifactType application\/vnd\.cncf\.helm\.config\.v1\+json\) takes one chart \.tgz and its \.tgz\.prov, if signed; its files and urls give app-0\.1\.0\.tgz, app-0\.2\.0\.tgz$/);
  await refused([chart], 'v0.1.1', /^binaries "app": app-0\.1\.0\.tgz is chart app version 0\.1\.0 \(its Chart\.yaml\), not v0\.1\.1 \(--tag\): helm pulls a chart by its version, so publish it with --tag 0\.1\.0, or package the chart as v0\.1\.1$/);
  // The same release spelled with a v (the --tag of the release's other entries): under the chart's own version.
  assert.equal((await chartArtifact([chart], 'v0.1.0', 'binaries "app"')).tag, '0.1.0');
  const noYaml = await chartFile(dir, 'bare-0.1.0.tgz', gzipSync(tarOf([['bare/values.yaml', 'x: 1\n']])));
  await refused([noYaml], '0.1.0', /bare-0\.1\.0\.tgz: not a packaged Helm chart: no Chart\.yaml in its top directory/);
  const noVersion = await chartFile(dir, 'nov.tgz', gzipSync(tarOf([['nov/Chart.yaml', 'name: nov\n']])));
  await refused([noVersion], '0.1.0', /nov\.tgz: its Chart\.yaml has no version, which helm requires$/);
});
