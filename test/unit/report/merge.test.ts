import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeReports, missingShards, parseReport, uncoveredInterruptions } from '../../../src/report/merge.js';
import { compareTags } from '../../../src/report/order.js';
import { renderReport } from '../../../src/report/render.js';
import { UsageError } from '../../../src/types/errors.js';
import type { VerifyReport } from '../../../src/report/model.js';
import { syncReport, verifyReport, verifyResults } from './fixture.js';

const NOW = new Date(Date.UTC(2026, 1, 3, 4, 5, 6));

test('tags sort semver-aware, v prefix optional, non-semver after alphabetically', () => {
  const tags = ['latest', 'v1.10.0', 'v1.9.0', '1.9.5', 'v1.10.0-rc.1', 'v1.14', 'abc', 'v2.0.0'];
  assert.deepEqual([...tags].sort(compareTags), ['v1.9.0', '1.9.5', 'v1.10.0-rc.1', 'v1.10.0', 'v2.0.0', 'abc', 'latest', 'v1.14']);
});

test('merging two shards equals the report of all rows, sorted', () => {
  const rows = verifyResults();
  const a = verifyReport(rows.filter((_, i) => i % 2 === 0));
  const b = verifyReport(rows.filter((_, i) => i % 2 === 1));
  const merged = mergeReports([b, a], NOW) as VerifyReport;
  const whole = mergeReports([verifyReport()], NOW);
  assert.deepEqual(merged, whole);
  assert.equal(merged.generatedAt, '2026-02-03T04:05:06Z');
  assert.deepEqual(merged.summary, verifyReport().summary);
  assert.deepEqual(
    merged.results.map((r) => `${r.source.split('/').at(-1)}:${r.tag}`),
    ['cert-manager-controller:v1.9.0', 'cert-manager-controller:v1.10.0', 'cert-manager-controller:v1.14.0', 'cert-manager-webhook:v0.1.0-old', 'cert-manager-webhook:v1.14.0', 'cert-manager-webhook:latest', 'cmctl:v2.0.0', 'cmctl:<script>x</script>'],
  );
});

// sync and verify list images in mirrors.yaml order (inventory/order.ts), not by name: a backfill
// of 4 shards merged listed cainjector before controller where the one unsharded run of the same
// mirrors.yaml listed controller first. Each shard's report holds that order, and so must the merge.
test('merged shards list images in the mirrors.yaml order their reports share, as one whole run does', () => {
  const inConfigOrder = ['cmctl', 'cert-manager-webhook', 'cert-manager-controller'];
  const rows = verifyResults()
    .map((r, i) => ({ r, i }))
    .sort((a, b) => inConfigOrder.indexOf(a.r.source.split('/').at(-1)!) - inConfigOrder.indexOf(b.r.source.split('/').at(-1)!) || compareTags(a.r.tag, b.r.tag))
    .map(({ r }) => r);
  const whole = verifyReport(rows);
  const shards = [0, 1, 2].map((k) => verifyReport(rows.filter((_, i) => i % 3 === k)));
  const merged = mergeReports([shards[2]!, shards[0]!, shards[1]!], NOW) as VerifyReport;
  assert.deepEqual(merged.results, whole.results);
  // Reports that disagree (other mirrors.yaml orders) still merge, by name.
  const other = verifyReport([...rows].reverse());
  assert.deepEqual(mergeReports([whole, other], NOW).results.map((r) => r.source.split('/').at(-1)), ['cert-manager-controller', 'cert-manager-controller', 'cert-manager-controller', 'cert-manager-webhook', 'cert-manager-webhook', 'cert-manager-webhook', 'cmctl', 'cmctl']);
});

test('merge dedupes (source, tag): the later report wins', () => {
  const first = verifyReport();
  const rerun = verifyReport(verifyResults().filter((r) => r.tag === 'v2.0.0').map((r) => ({ ...r, targets: r.targets.map((t) => ({ ...t, status: 'in-sync' as const, digest: r.sourceDigest, detail: '' })) })));
  const merged = mergeReports([first, rerun], NOW) as VerifyReport;
  assert.equal(merged.results.length, 8);
  assert.equal(merged.summary.errors, 0);
  assert.equal(merged.summary.inSync, 10);
});

test('merge of sync shards keeps the kind; mixed kinds are a usage error', () => {
  const merged = mergeReports([syncReport('plan'), syncReport('plan')], NOW);
  assert.equal('kind' in merged && merged.kind, 'plan');
  assert.equal(merged.results.length, 3);
  assert.throws(() => mergeReports([syncReport('sync'), syncReport('plan')]), UsageError);
  assert.throws(() => mergeReports([verifyReport(), syncReport('sync')]), UsageError);
  assert.throws(() => mergeReports([]), UsageError);
});

test('parseReport rejects what is not a regmirror report, naming the file', () => {
  const bad = (text: string, what: RegExp) =>
    assert.throws(() => parseReport(text, 'shard-2.json'), (e: unknown) => e instanceof UsageError && /^shard-2\.json: /.test(e.message) && what.test(e.message));
  bad('not json', /invalid JSON/);
  bad('[]', /document is not an object/);
  bad('{"version":2,"results":[]}', /version is not 1/);
  const good = JSON.parse(renderReport(verifyReport(), 'json'));
  bad(JSON.stringify({ ...good, results: {} }), /results is not an array/);
  good.results[0].targets[0].status = 'fine';
  bad(JSON.stringify(good), /results\[0\]\.targets\[0\]\.status is not one of/);
  const sync = JSON.parse(renderReport(syncReport(), 'json'));
  sync.kind = 'copy';
  bad(JSON.stringify(sync), /kind is not one of sync, plan/);
});

test('merging publish reports keeps them publish reports, and a saved one parses back as such', () => {
  const merged = mergeReports([syncReport('publish'), syncReport('publish')]);
  assert.equal((merged as { kind?: string }).kind, 'publish');
  const parsed = parseReport(JSON.stringify(syncReport('publish')), 'publish.json');
  assert.equal((parsed as { kind?: string }).kind, 'publish');
});

test('missingShards names the shards of N no report is; a whole-run report or shards of other N check nothing', () => {
  const shard = (s?: string) => ({ ...syncReport(), ...(s ? { shard: s } : {}) });
  assert.deepEqual(missingShards([shard('1/4'), shard('4/4')]), ['2/4', '3/4']);
  assert.deepEqual(missingShards([shard('2/2'), shard('1/2')]), []);
  assert.deepEqual(missingShards([shard('1/4'), shard()]), []);
  assert.deepEqual(missingShards([shard('1/4'), shard('2/3')]), []);
  // Written to the file and read back, the shard stays; the merge of shards is no shard.
  const read = parseReport(JSON.stringify(shard('3/4')), 'r.json');
  assert.equal(read.shard, '3/4');
  assert.equal(mergeReports([read]).shard, undefined);
});

// backfill4 hunt: a shard killed (SIGKILL) and run again leaves two reports; merged with the
// rest, the result held every tag, yet read '"interrupted": true' and warned to run it again.
test('an interrupted shard merged with its complete rerun is whole; one without it stays partial', () => {
  const shard = (s: string | undefined, interrupted: boolean) => ({ ...syncReport(), ...(s ? { shard: s } : {}), ...(interrupted ? { interrupted: true as const } : {}) });
  const killed = shard('2/3', true);
  const rerun = shard('2/3', false);
  assert.equal(mergeReports([shard('1/3', false), killed, rerun, shard('3/3', false)], NOW).interrupted, undefined);
  assert.equal(mergeReports([rerun, killed], NOW).interrupted, undefined, 'the rerun given first covers it too');
  assert.deepEqual(uncoveredInterruptions([shard('1/3', false), killed, shard('3/3', false)]), [killed]);
  assert.equal(mergeReports([shard('1/3', false), killed, shard('3/3', false)], NOW).interrupted, true);
  // A whole run's complete report covers any shard; a shard's does not cover a whole run's.
  assert.deepEqual(uncoveredInterruptions([killed, shard(undefined, false)]), []);
  const whole = shard(undefined, true);
  assert.deepEqual(uncoveredInterruptions([whole, rerun]), [whole]);
});
