// `verify --deep` after a layout from another project's tests went to a TLS registry (acceptance
// hunt): regclient's testrepo v3 is an index of four platform images over one shared layer. That
// layer gone from the target repository made the row's detail name it once per image that uses it
// ('absent at the target: blob sha256:0139…, blob sha256:0139…, blob sha256:0139…, blob …');
// each absent part is named once now, in every format the report is rendered in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerifyReport } from '../../../src/report/model.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

/** The layer every platform image of testrepo's v3 names (upstream's fixed bytes). */
const SHARED_LAYER = '01399f08c7986d71d9b739a0899cb5b76eb2aa711d07dfe66b8f143b8a34b2f3';

let registry: RunningRegistry;
let config: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  const dir = await scratchDir('thirdparty-deep');
  await cp(join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'regclient-testrepo'), join(dir, 'testrepo'), { recursive: true });
  config = await writeConfig(dir, `version: 1
defaults:
  targets: [${registry.host}/mirror]
  referrers: false
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'testrepo')}
`);
  const sync = await runCli(['sync', '-c', config, '--tag', 'v3', '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  // The layer leaves the target repository as a registry's own cleanup would take it: its link goes.
  const layers = join(registry.dataDir, 'docker', 'registry', 'v2', 'repositories', 'mirror', 'testrepo', '_layers', 'sha256');
  await rename(join(layers, SHARED_LAYER), join(layers, `${SHARED_LAYER}.gone`));
});

after(async () => {
  if (registry) await destroyRegistry(registry);
});

test('a layer shared by the platforms of an index, absent at the target: named once in the row, whatever the format', async () => {
  const json = await runCli(['verify', '--deep', '-c', config, '--tag', 'v3', '--format', 'json', '--no-progress']);
  assert.equal(json.exitCode, 1, json.stderr);
  const row = (JSON.parse(json.stdout) as VerifyReport).results[0]!.targets[0]!;
  assert.equal(row.status, 'incomplete');
  assert.equal(row.detail, `absent at the target: blob sha256:${SHARED_LAYER}`);
  for (const format of ['table', 'markdown']) {
    const run = await runCli(['verify', '--deep', '-c', config, '--tag', 'v3', '--format', format, '--no-progress']);
    assert.equal(run.exitCode, 1, run.stderr);
    // (markdown lists a drift row twice: under "Drift and errors" and in the folded list of all rows)
    const rows = run.stdout.split('\n').filter((line) => line.includes(SHARED_LAYER));
    assert.ok(rows.length > 0, run.stdout);
    for (const row of rows) assert.equal(row.split(`blob sha256:${SHARED_LAYER}`).length - 1, 1, `${format}: the blob named once in its row\n${run.stdout}`);
  }
});
