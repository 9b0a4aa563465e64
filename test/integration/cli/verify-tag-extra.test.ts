// `verify --tag T` for a tag only a target has (a weekly audit asking about one tag) reported that
// (tag, target) twice: an `error` row ("source has no tag T", one for every target) and an `extra`
// row for the target that holds it (audit hunt). One pair counted as both drift and error breaks
// the summary, and JUnit's one testcase per (tag, target). Now a target holding T gets the `extra`
// row alone; only targets that lack T too get the error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { retag, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import type { VerifyReport } from '../../../src/report/model.js';

let reg: RunningRegistry;

before(async () => {
  reg = await startRegistry({ tls: true });
  const push = { url: reg.url };
  // The same image at the source and at both targets; `mirror` also has v9.9.9, the source does not.
  for (const repository of ['jetstack/app', 'mirror/app', 'second/app']) {
    await seedImage(push, { repository, tags: ['v1.0.0'], format: 'oci', single: true, seed: 'app' });
  }
  await retag(push, 'mirror/app', 'v1.0.0', 'v9.9.9');
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('verify --tag for a tag only one target has: that target is `extra` once, the other an error once', async () => {
  const dir = await scratchDir('verify-tag-extra');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${reg.host}/mirror, ${reg.host}/second]
${registriesYaml([reg])}images:
  - source: ${reg.host}/jetstack/app
`);
  const run = await runCli(['verify', '-c', file, '--tag', 'v9.9.9', '--format', 'json', '--no-progress']);
  const report = JSON.parse(run.stdout) as VerifyReport;
  const rows = report.results.flatMap((r) => r.targets.map((t) => `${r.tag} ${t.repository} ${t.status}`));
  assert.deepEqual(rows.sort(), [`v9.9.9 ${reg.host}/mirror/app extra`, `v9.9.9 ${reg.host}/second/app error`], run.stderr);
  assert.equal(report.summary.drift, 1);
  assert.equal(report.summary.errors, 1);
  assert.equal(run.exitCode, 3, 'the source lacks a tag it was asked for: the audit is incomplete');
});
