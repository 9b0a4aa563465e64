// `report render FILE` printed the summary stored in FILE: a report whose rows were hand-edited
// (a drift row deleted after a fix, two shards' results pasted into one file) rendered totals its
// rows do not have, e.g. "0 drift" over a table listing drift. The rows are the report (SPEC's
// summary counts them; report merge recomputes it too): render now counts them, and says on stderr
// which stored counts differed, naming the file. A consistent report renders with no warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { syncReport, verifyReport } from '../../unit/report/fixture.js';

test('report render counts the rows, and warns naming the file when the stored summary differs', async () => {
  const dir = await scratchDir('render-summary');
  const honest = verifyReport();
  assert.equal(honest.summary.drift, 5);
  const edited = join(dir, 'edited.json');
  await writeFile(edited, JSON.stringify({ ...honest, summary: { ...honest.summary, inSync: 12, drift: 0, errors: 0 } }));
  const md = await runCli(['report', 'render', edited, '--format', 'markdown']);
  assert.equal(md.exitCode, 0, md.stderr);
  assert.match(md.stdout, /— 8 in sync, 5 drift, 2 errors/);
  assert.match(md.stderr, /^warning: .*edited\.json: its summary disagrees with its rows \(inSync 12 written, 8 in the rows; drift 0 written, 5 in the rows; errors 0 written, 2 in the rows\); rendered with the counts of the rows\n$/);
  const json = await runCli(['report', 'render', edited, '--format', 'json']);
  assert.deepEqual(JSON.parse(json.stdout).summary, honest.summary);

  const sync = syncReport();
  const merged = join(dir, 'sync.json');
  await writeFile(merged, JSON.stringify({ ...sync, summary: { ...sync.summary, failed: 0, conflicts: 0 } }));
  const table = await runCli(['report', 'render', merged]);
  assert.match(table.stdout, /1 conflict, 1 failed/);
  assert.match(table.stderr, /sync\.json: its summary disagrees with its rows \(conflicts 0 written, 1 in the rows; failed 0 written, 1 in the rows\)/);

  const clean = join(dir, 'clean.json');
  await writeFile(clean, JSON.stringify(honest));
  const ok = await runCli(['report', 'render', clean, '--format', 'markdown']);
  assert.equal(ok.exitCode, 0);
  assert.equal(ok.stderr, '');
});
