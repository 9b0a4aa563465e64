// A referrer's blobs counted once (a cold target): a referrer's walk copies what lies below it
// before it claims its manifest (graph-walk.ts, so a subject's index that also lists it never waits
// on it), and walking below it a second time after the claim counted each of its blobs again as
// 'existing' in the row, which a cold target holds none of before the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, ociReferrer: true, signature: true });
  dir = await scratchDir('referrer-tally');
});
after(async () => {
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('a cold copy of an image with a signature and an OCI referrer counts no blob as existing', async () => {
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const report = join(dir, 'report.json');
  const run = await runCli(['sync', '-c', config, '--no-progress', '--report', report]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const row = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results.find((r) => r.tag === 'v1.0.0')!.targets[0]!;
  assert.equal(row.action, 'copied');
  assert.ok(row.referrers >= 2, JSON.stringify(row));
  assert.equal(row.blobs.existing, 0, JSON.stringify(row));
});
