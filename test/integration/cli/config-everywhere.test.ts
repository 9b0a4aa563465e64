// SPEC: `-c, --config FILE` on every command. `schema` and `report …` read no mirrors.yaml and
// refused it ("unknown option '-c'", exit 2), so a script passing `-c` to each command it runs
// stopped there. They take it now (and say nothing of it in --help).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../harness/cli.js';

test('schema takes -c and --config and prints the schema', async () => {
  for (const flag of ['-c', '--config']) {
    const run = await runCli(['schema', flag, 'mirrors.yaml']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /"\$schema"/);
  }
});

test('report and its sub-commands take -c: what fails is the missing file, not the option', async () => {
  for (const args of [['report', '-c', 'm.yaml', 'render', 'missing.json'], ['report', 'render', '-c', 'm.yaml', 'missing.json'], ['report', 'merge', '-c', 'm.yaml', '-o', 'out.json', 'missing.json'], ['report', 'stats', '-c', 'm.yaml', 'missing.ndjson']]) {
    const run = await runCli(args);
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /unknown option/);
    assert.match(run.stderr, /missing\.(json|ndjson): cannot read: ENOENT/);
  }
});
