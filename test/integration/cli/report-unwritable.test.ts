// A report path that cannot be written, as when a backfill's merge job forgets `mkdir reports`:
// `report merge … -o reports/all.json` ended with exit 1 (SPEC gives report merge 0 or 2; for
// verify, 1 says drift) and Node's bare "ENOENT: no such file or directory, open …" line. It is a
// usage error now: exit 2, one line naming the flag and the file and saying what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

const REPORT = { version: 1, kind: 'sync', generatedAt: '2026-01-01T00:00:00Z', summary: { repositories: 0, tags: 0, targets: 0, copied: 0, skipped: 0, conflicts: 0, failed: 0, bytes: 0 }, results: [] };

test('report merge and render into a directory that does not exist: exit 2, one line naming the file', async () => {
  const dir = await scratchDir('report-unwritable');
  const shard = join(dir, 'shard-1.json');
  await writeFile(shard, JSON.stringify(REPORT));
  const out = join(dir, 'reports', 'all.json');
  for (const args of [['report', 'merge', shard, shard, '-o', out], ['report', 'render', shard, '--format', 'markdown', '-o', out]]) {
    const run = await runCli(args);
    assert.equal(run.exitCode, 2, `${args.join(' ')}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /-o .*reports\/all\.json: cannot write the report \(ENOENT\); create its directory first/);
  }
});

test('sync --report and verify -o into a missing directory stop before the run, not after it', async () => {
  const dir = await scratchDir('report-unwritable-early');
  // A registry nobody listens at: a run that started would say so before the report line.
  const config = join(dir, 'mirrors.yaml');
  await writeFile(config, 'version: 1\nimages:\n  - source: quay.io/jetstack/app\n    targets: [ghcr.io/cert-manager]\n');
  const endpoints = ['--endpoint', 'quay.io=http://127.0.0.1:9', '--endpoint', 'ghcr.io=http://127.0.0.1:9'];
  const out = join(dir, 'reports', 'sync.json');
  for (const [args, flag] of [[['sync', '-c', config, '--report', out], '--report'], [['verify', '-c', config, '-o', out], '-o']] as const) {
    const run = await runCli([...args, ...endpoints]);
    assert.equal(run.exitCode, 2, run.stderr);
    assert.deepEqual(run.stderr.trim().split('\n'), [`regmirror: ${flag} ${out}: cannot write the report (ENOENT); create its directory first`]);
  }
});
