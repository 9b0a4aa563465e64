// In a GitHub Actions step, a run that stopped before its report (a config error, exit 2) wrote no
// output at all: a later step read drift = failed = '' and, tested as a number (`drift > 0`), that
// is a clean run. It now writes `error`, the one line it printed (redacted), so the next step can
// tell the run never audited anything; drift, failed and report stay unwritten (nothing counted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

async function outputsOf(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return Object.fromEntries([...text.matchAll(/^([\w-]+)<<(ghadelimiter_[a-f0-9]+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1]!, m[3]!]));
}

test('a config error in GitHub Actions writes the error output and no counts', async () => {
  const dir = await scratchDir('error-output');
  const cfg = await writeConfig(dir, `version: 1
images:
  - source: quay.io/jetstack/app
    targets: [ghcr.io/cert-manager]
    tags: { semver: "not a range" }
`);
  const runs = [['verify', '-c', cfg], ['sync', '-c', cfg, '--tag', 'v1.0.0'], ['verify', '-c', join(dir, 'missing.yaml')], ['verify', '-c', cfg, '--no-such-flag']];
  for (const [i, args] of runs.entries()) {
    const output = join(dir, `output-${i}.txt`);
    const run = await runCli(args, { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), RUNNER_TEMP: dir } });
    assert.equal(run.exitCode, 2, run.stderr);
    const outputs = await outputsOf(output);
    assert.deepEqual(Object.keys(outputs), ['error'], `${args.join(' ')}: ${JSON.stringify(outputs)}`);
    assert.notEqual(outputs.error, '');
    assert.ok(run.stderr.includes(outputs.error!.replace(/^regmirror: /, '')), `${outputs.error} | ${run.stderr}`);
  }
  const bad = await outputsOf(join(dir, 'output-0.txt'));
  assert.match(bad.error!, /mirrors\.yaml:5:\d+: .*invalid semver range "not a range"/);
});

test('a run that gets to its report writes no error output', async () => {
  const dir = await scratchDir('error-output-none');
  const cfg = await writeConfig(dir, `version: 1
images:
  - source: 127.0.0.1:9/jetstack/app
    targets: [127.0.0.1:9/mirror]
`);
  const output = join(dir, 'output.txt');
  const run = await runCli(['verify', '-c', cfg, '--no-progress'], { env: { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, RUNNER_TEMP: dir } });
  assert.equal(run.exitCode, 3, run.stderr);
  const outputs = await outputsOf(output);
  assert.equal(outputs.error, undefined);
  assert.ok('drift' in outputs && 'failed' in outputs, JSON.stringify(outputs));
});
