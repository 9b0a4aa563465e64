// The trust outcomes in every report format: sync's `refused` / `source-moved` actions and
// verify's `unsigned` / `source-moved` statuses are counted, rendered, parsed back and merged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeReports, parseReport } from '../../../src/report/merge.js';
import { renderReport } from '../../../src/report/render.js';
import { exitCodeForVerify } from '../../../src/report/exit.js';
import { summarizeSync, summarizeVerify } from '../../../src/report/summary.js';
import type { SyncReport, SyncResult, SyncTargetResult, VerifyReport, VerifyResult } from '../../../src/report/model.js';
import { D } from './fixture.js';
import { refusedAtSource } from '../../../src/report/source-lacks.js';

const target = (action: SyncTargetResult['action'], detail: string): SyncTargetResult => ({ repository: 'ghcr.io/cert-manager/app', action, previousDigest: null, digest: null, blobs: { copied: 0, mounted: 0, existing: 0 }, bytes: 0, referrers: 0, detail });

function syncReport(results: SyncResult[]): SyncReport {
  return { version: 1, kind: 'sync', generatedAt: '2026-01-01T00:00:00Z', summary: summarizeSync(results, 'sync'), results };
}

const refused: SyncResult = { source: 'quay.io/jetstack/app', tag: 'v1.1.0', sourceDigest: D('a'), targets: [target('refused', `wrong-digest: sha256-aaaa.sig signs ${D('b')}, the tag is ${D('a')}`)] };
const moved: SyncResult = { source: 'quay.io/jetstack/app', tag: 'v1.0.0', sourceDigest: D('c'), targets: [target('source-moved', `source tag moved: recorded ${D('d')}, source now ${D('c')}`)] };

test('sync: refused and source-moved are counted, named in the headline and shown by every format', () => {
  const report = syncReport([refused, moved]);
  assert.equal(report.summary.refused, 1);
  assert.equal(report.summary.moved, 1);
  assert.equal(report.summary.failed, 0);
  assert.match(renderReport(report, 'table', { color: false }), /1 refused, 1 source-moved/);
  for (const format of ['table', 'markdown', 'junit', 'html'] as const) {
    const out = renderReport(report, format, { color: false });
    for (const word of ['refused', 'source-moved', 'wrong-digest']) assert.ok(out.includes(word), `${format} lacks ${word}`);
  }
  assert.match(renderReport(report, 'junit', { color: false }), /<failure message="refused: wrong-digest/);
  assert.match(renderReport(report, 'table', { color: false }), /--accept-moved/);
});

test('sync: a saved report with the new actions parses back and merges across shards', () => {
  const a = syncReport([refused]);
  const b = syncReport([moved]);
  const parsed = parseReport(renderReport(a, 'json', { color: false }), 'a.json');
  assert.deepEqual(parsed, a);
  const merged = mergeReports([parseReport(JSON.stringify(b), 'b.json'), parsed], new Date(Date.UTC(2026, 0, 2))) as SyncReport;
  assert.equal(merged.summary.refused, 1);
  assert.equal(merged.summary.moved, 1);
  assert.deepEqual(merged.results.map((r) => r.tag), ['v1.0.0', 'v1.1.0']);
  // Reports written before signatures existed carry neither count, and still parse.
  const old = syncReport([{ ...refused, targets: [target('skip', '')] }]);
  assert.equal('refused' in old.summary, false);
  assert.deepEqual(parseReport(JSON.stringify(old), 'old.json'), old);
});

test('verify: unsigned and source-moved are drift (exit 1) in every format', () => {
  const results: VerifyResult[] = [
    { source: 'quay.io/jetstack/app', tag: 'v1.0.0', sourceDigest: D('c'), targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'source-moved', digest: D('d'), detail: `source tag moved: recorded ${D('d')}` }] },
    { source: 'quay.io/jetstack/app', tag: 'v1.1.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'unsigned', digest: D('a'), detail: 'no valid signature at the target: unsigned' }] },
  ];
  const report: VerifyReport = { version: 1, generatedAt: '2026-01-01T00:00:00Z', summary: summarizeVerify(results), results };
  assert.equal(report.summary.drift, 2);
  assert.equal(exitCodeForVerify(report), 1);
  for (const format of ['table', 'markdown', 'junit', 'html'] as const) {
    const out = renderReport(report, format, { color: false });
    for (const word of ['unsigned', 'source-moved']) assert.ok(out.includes(word), `${format} lacks ${word}`);
  }
  // A missing signature is copied by a plain sync; an invalid or swapped one only with --force (trust hunt).
  assert.match(renderReport(report, 'table', { color: false }), /unsigned images at targets: sync their signatures \(`--force` where a target holds an invalid or swapped one\)/);
  assert.deepEqual(parseReport(renderReport(report, 'json', { color: false }), 'v.json'), report);
  const merged = mergeReports([report], new Date()) as VerifyReport;
  assert.equal(merged.summary.drift, 2);
});

test('verify: a missing tag sync refuses (no valid signature at the source) is not sent to a plain sync', () => {
  const row = (tag: string, detail: string): VerifyResult => ({ source: 'quay.io/jetstack/app', tag, sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'missing', digest: null, detail }] });
  const refusedRow = row('v1.2.0', refusedAtSource('bad-signature: no key in signatures.keys verifies sha256-aaaa.sig'));
  const report = (results: VerifyResult[]): VerifyReport => ({ version: 1, generatedAt: '2026-01-01T00:00:00Z', summary: summarizeVerify(results), results });
  const alone = renderReport(report([refusedRow]), 'table', { color: false });
  assert.doesNotMatch(alone, /run `regmirror sync` to copy missing tags/);
  assert.match(alone, /sync refuses a missing tag without a valid signature at the source \(named in the detail\): sign it there, or leave it out \(tags rules, signatures\.unsignedBefore\)/);
  // Beside a tag a plain sync copies, both pieces of advice.
  const both = renderReport(report([refusedRow, row('v1.3.0', 'tag absent at the target')]), 'html', { color: false });
  assert.match(both, /run <code>regmirror sync<\/code> to copy missing tags|run `regmirror sync` to copy missing tags/);
  assert.match(both, /sync refuses a missing tag/);
});
