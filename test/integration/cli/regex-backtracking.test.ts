// A tag rule that backtracks catastrophically (`include: ["(a+)+$"]`, or the likelier
// `^([a-z0-9]+-?)+$` over branch-name tags) against one long tag the source lists hung the run:
// `plan` tested each tag with V8's backtracking engine, 2^n steps for a run of n letters (26: 2 s;
// 60: hours), with no output and no request in flight. The CLI now has V8 fall back to its linear
// engine for a regex that exceeds its backtrack budget (same matches, bounded time), so the plan
// ends at once with the same selection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { retag, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { SyncReport } from '../../../src/report/model.js';

let reg: RunningRegistry;
const LONG = `${'a'.repeat(60)}-1`;

before(async () => {
  reg = await startRegistry({});
  const push = { url: reg.url };
  await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true, seed: 'app' });
  for (const tag of ['aaaa', LONG]) await retag(push, 'jetstack/app', 'v1.0.0', tag);
});

after(async () => reg?.stop());

test('plan with a catastrophically backtracking include rule ends, with the tags it selects', async () => {
  const file = await writeConfig(await scratchDir('regex-backtracking'), `version: 1
defaults:
  targets: [${reg.host}/mirror]
  tags: { include: ["(a+)+$"] }
images:
  - source: ${reg.host}/jetstack/app
`);
  // The bound is for a hang only (hours before the fix); the plan itself takes about a second.
  const run = await runCli(['plan', '-c', file, '--format', 'json', '--no-progress'], { timeoutMs: 90_000 });
  assert.equal(run.timedOut, false, 'plan hung on the include rule');
  assert.equal(run.exitCode, 0, run.stderr);
  const report = JSON.parse(run.stdout) as SyncReport;
  assert.deepEqual(report.results.map((r) => r.tag), ['aaaa']);
});
