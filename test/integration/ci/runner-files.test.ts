// The runner's files are the runner's: a step summary or output file that cannot be written (a
// path in a directory that is gone, a disk full) made a clean audit exit 1, which SPEC says is
// drift, with an ENOENT that named no variable. Now each such write is one warning naming its
// variable, and the command's result stands.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;
let cfg: string;

before(async () => {
  reg = await startRegistry({ tls: true });
  dir = await scratchDir('runner-files');
  await seedImage({ url: reg.url }, { repository: 'jetstack/acmesolver', tags: ['v1.0.0'], format: 'oci', single: true });
  cfg = await writeConfig(dir, `version: 1
${registriesYaml([reg])}images:
  - source: ${reg.host}/jetstack/acmesolver
    targets: [${reg.host}/cert-manager]
`);
  const sync = await runCli(['sync', '-c', cfg]);
  assert.equal(sync.exitCode, 0, sync.stderr);
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

test('an unwritable step summary is a warning naming GITHUB_STEP_SUMMARY; the clean audit still exits 0 and writes its outputs', async () => {
  const output = join(dir, 'output.txt');
  await writeFile(output, '');
  const missing = join(dir, 'gone', 'summary.md');
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: missing, GITHUB_OUTPUT: output, RUNNER_TEMP: dir };
  const run = await runCli(['verify', '-c', cfg], { env });
  assert.equal(run.exitCode, 0, run.stderr);
  const warnings = run.stderr.split('\n').filter((l) => l.startsWith('::warning '));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0]!, /could not write the step summary to .*gone\/summary\.md \(GITHUB_STEP_SUMMARY\): ENOENT; the run's result stands/);
  assert.match(await readFile(output, 'utf8'), /^drift<<ghadelimiter_[a-f0-9]+\n0\n/m);
});

test('an unwritable output file is a warning naming GITHUB_OUTPUT; the summary is still written', async () => {
  const summary = join(dir, 'summary.md');
  await writeFile(summary, '');
  const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: join(dir, 'gone', 'output.txt'), RUNNER_TEMP: dir };
  const run = await runCli(['verify', '-c', cfg], { env });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stderr, /::warning title=regmirror::could not write the step outputs to .* \(GITHUB_OUTPUT\): ENOENT/);
  assert.match(await readFile(summary, 'utf8'), /No drift/);
});
