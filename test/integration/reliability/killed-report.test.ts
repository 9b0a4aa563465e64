// A sync killed outright (SIGKILL: a CI job's hard timeout, the OOM killer) writes nothing at its
// end. Its --report file held the previous run's report, which read as this run's; it now says
// from the start that the run has not ended, and holds the rows finished so far (cli/report-journal.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { SyncReport } from '../../../src/report/model.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { adminPush, skopeoRawDigest } from './helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let tgt: RunningRegistry;
let proxy: FaultProxy; // in front of the target: slow uploads, so the run is still going when killed
let dir: string;
const TAGS = Array.from({ length: 8 }, (_, i) => `v2.${i}.0`);
const STALE = { version: 1, kind: 'sync', generatedAt: '2026-01-01T00:00:00Z', summary: { repositories: 1, tags: 99, targets: 1, copied: 99, skipped: 0, conflicts: 0, failed: 0, bytes: 0 }, results: [] };

before(async () => {
  [src, tgt] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await startFaultProxy(tgt.url, { tls: (await testCerts()).servers.good, upstreamCa: tgt.caFile });
  proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, times: Infinity, fault: { kind: 'delay', ms: 250 } });
  dir = await scratchDir('killed-report');
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: TAGS, format: 'oci', platforms: 2, layerBytes: 4096 });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, tgt].map((r) => r && destroyRegistry(r)));
});

/** Resolves once `file` holds a report with at least one copied row (polled: the test's eyes on the file); never once `ended`. */
async function copiedRowIn(file: string, ended: AbortSignal): Promise<SyncReport> {
  while (!ended.aborted) {
    const report = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Partial<SyncReport>;
    if (report.results?.some((r) => r.targets.some((t) => t.action === 'copied'))) return report as SyncReport;
    await new Promise((r) => setTimeout(r, 50));
  }
  return new Promise(() => undefined);
}

test('SIGKILL mid-sync: the --report file says the run did not end and holds the rows that finished, each one true at the target', async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${tgt.host}/mirror]
registries:
  ${src.host}: { caFile: ${src.caFile} }
  ${tgt.host}: { caFile: ${tgt.caFile} }
images:
  - source: ${src.host}/jetstack/app
`);
  const reportFile = join(dir, 'report.json');
  await writeFile(reportFile, `${JSON.stringify(STALE)}\n`);
  const ended = new AbortController();
  const run = await runCli(['sync', '-c', file, '--concurrency', '1', '--report', reportFile, '--endpoint', `${tgt.host}=${proxy.url}`], {
    signalWhen: { signal: 'SIGKILL', when: copiedRowIn(reportFile, ended.signal) },
  });
  ended.abort();
  assert.equal(run.signal, 'SIGKILL', `the run ended before the kill (exit ${run.exitCode}): nothing tested\n${run.stderr}`);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as SyncReport;
  assert.equal(report.interrupted, true, 'the report of a killed run reads as a whole run');
  assert.equal(report.kind, 'sync');
  assert.notEqual(report.generatedAt, STALE.generatedAt, 'the previous run\'s report is still there');
  const copied = report.results.filter((r) => r.targets.some((t) => t.action === 'copied'));
  assert.ok(copied.length >= 1 && copied.length < TAGS.length, `${copied.length} copied rows`);
  assert.equal(report.summary.copied, copied.length, 'the summary counts the rows it holds');
  // Every row it holds is true: skopeo reads that digest under that tag at the target.
  for (const row of copied) assert.equal(await skopeoRawDigest(tgt, 'mirror/app', row.tag), row.sourceDigest, row.tag);
  assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.partial')), [], 'a temporary file left beside the report');
  await writeFile(join(dir, 'killed.json'), await readFile(reportFile)); // as a CI job's first attempt keeps it
});

test('the run that ends writes its whole report over the journal: no "interrupted", every tag', async () => {
  const file = join(dir, 'mirrors.yaml');
  const reportFile = join(dir, 'report.json');
  const run = await runCli(['sync', '-c', file, '--report', reportFile, '--endpoint', `${tgt.host}=${proxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as SyncReport;
  assert.equal(report.interrupted, undefined);
  assert.deepEqual(report.results.map((r) => r.tag).sort(), [...TAGS].sort());
  assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.partial')), []);
});

// backfill4 hunt: a backfill shard killed and run again leaves its first report beside its rerun's;
// `report merge` of both held every tag, yet warned 'the merged report is partial too (marked
// "interrupted": true): run that command again and merge the report it writes', and marked it so.
test('report merge of a killed run\'s report and its complete rerun\'s is whole: no warning, no "interrupted"', async () => {
  const merged = join(dir, 'merged.json');
  const m = await runCli(['report', 'merge', join(dir, 'killed.json'), join(dir, 'report.json'), '-o', merged]);
  assert.equal(m.exitCode, 0, m.stderr);
  assert.equal(m.stderr, '');
  const report = JSON.parse(await readFile(merged, 'utf8')) as SyncReport;
  assert.equal(report.interrupted, undefined);
  assert.deepEqual(report.results.map((r) => r.tag).sort(), [...TAGS].sort());
  for (const row of report.results) assert.equal(await skopeoRawDigest(tgt, 'mirror/app', row.tag), row.sourceDigest, row.tag);
  // Alone, the killed run's report still makes a partial merge, said so.
  const alone = await runCli(['report', 'merge', join(dir, 'killed.json'), '-o', join(dir, 'alone.json')]);
  assert.equal(alone.exitCode, 0, alone.stderr);
  assert.match(alone.stderr, /killed\.json: its run was interrupted .* the merged report is partial too/);
  assert.equal((JSON.parse(await readFile(join(dir, 'alone.json'), 'utf8')) as SyncReport).interrupted, true);
});
