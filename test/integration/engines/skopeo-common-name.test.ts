// A registry whose certificate names it in its Common Name alone, with no subjectAltName (an old
// in-house registry's): the native client reads the name there, as Node does, and plans and copies;
// skopeo's Go has refused such a certificate since 1.15 (so do docker and containerd), and every
// copy failed with Go's bare 'x509: certificate relies on legacy Common Name field, use SANs
// instead' (acceptance hunt). The line now says whose certificate, what to have changed, and that
// `engine: native` takes it meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ tls: 'commonNameOnly' })]);
  dir = await scratchDir('skopeo-common-name');
  await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
});

after(async () => {
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
});

test('engine: skopeo to a registry whose certificate has only a Common Name: the row says so and what to do', async () => {
  const host = target.host.replace('127.0.0.1', 'localhost');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${host}/mirror]
  engine: skopeo
registries:
  ${host}: { caFile: ${target.caFile} }
images:
  - source: ${source.host}/jetstack/app
`);
  const report = join(dir, 'report.json');
  const run = await runCli(['sync', '-c', file, '--no-progress', '--report', report]);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const row = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results[0]!.targets[0]!;
  assert.equal(row.action, 'failed');
  assert.match(row.detail, /x509: certificate relies on legacy Common Name field/);
  assert.match(row.detail, new RegExp(`\\(the certificate of ${host} names it in its Common Name only, .*reissued with ${host.split(':')[0]} in its subjectAltName.*\`engine: native\``));
});
