// Workflow-command escaping: registry text can neither end our command line nor start its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeData, escapeProperty, outputEntry, workflowCommand } from '../../../src/ui/workflow-commands.js';
import { reportAnnotations, reportOutputs } from '../../../src/report/annotations.js';
import { createLogger } from '../../../src/ui/log.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';

test('data escapes %, CR and LF; properties also : and ,', () => {
  assert.equal(escapeData('100% done\r\n::error::x'), '100%25 done%0D%0A::error::x');
  assert.equal(escapeProperty('quay.io/a:v1, b'), 'quay.io/a%3Av1%2C b');
});

test('a hostile message stays on the one line of our command', () => {
  const line = workflowCommand('error', { title: 'ghcr.io/x/y:v1.0.0' }, 'denied\n::error title=pwned::injected');
  assert.equal(line, '::error title=ghcr.io/x/y%3Av1.0.0::denied%0A::error title=pwned::injected\n');
  assert.equal(line.split('\n').length, 2);
});

test('an output value cannot carry its own delimiter', () => {
  assert.equal(outputEntry('report', '/tmp/r.json', 'D1'), 'report<<D1\n/tmp/r.json\nD1\n');
  assert.throws(() => outputEntry('report', 'a\nD1\nfailed=0', 'D1'));
});

const digest = (c: string) => `sha256:${c.repeat(64)}`;

test('one error per drift, conflict or failure, titled repository:tag, naming target, status and digests', () => {
  const verify: VerifyReport = {
    version: 1, generatedAt: '', summary: { repositories: 1, tags: 2, targets: 2, inSync: 1, drift: 2, errors: 1 },
    results: [
      { source: 'quay.io/jetstack/a', tag: 'v1.0.0', sourceDigest: digest('1'), targets: [
        { repository: 'ghcr.io/cm/a', status: 'in-sync', digest: digest('1'), detail: '' },
        { repository: 'quay.io/cm/a', status: 'mismatch', digest: digest('2'), detail: 'points elsewhere' }] },
      { source: 'quay.io/jetstack/a', tag: 'v1.1.0', sourceDigest: digest('3'), targets: [
        { repository: 'ghcr.io/cm/a', status: 'missing', digest: null, detail: '' },
        { repository: 'quay.io/cm/a', status: 'error', digest: null, detail: 'HEAD: 500' }] },
    ],
  };
  const a = reportAnnotations(verify);
  assert.deepEqual(a.map((x) => x.title), ['quay.io/jetstack/a:v1.0.0', 'quay.io/jetstack/a:v1.1.0', 'quay.io/jetstack/a:v1.1.0']);
  assert.equal(a[0]!.message, `quay.io/cm/a: mismatch (source ${digest('1')}, target ${digest('2')}) — points elsewhere`);
  assert.equal(a[1]!.message, `ghcr.io/cm/a: missing (source ${digest('3')}, target none)`);
  assert.deepEqual(reportOutputs(verify), { drift: 2, failed: 1 });

  const blobs = { copied: 0, mounted: 0, existing: 0 };
  const sync: SyncReport = {
    version: 1, kind: 'sync', generatedAt: '', summary: { repositories: 1, tags: 1, targets: 3, copied: 1, skipped: 0, conflicts: 1, failed: 1, bytes: 0 },
    results: [{ source: 'quay.io/jetstack/a', tag: 'v2.0.0', sourceDigest: digest('4'), targets: [
      { repository: 'r/a', action: 'copied', previousDigest: null, digest: digest('4'), blobs, bytes: 0, referrers: 0, detail: '' },
      { repository: 'r/b', action: 'conflict', previousDigest: digest('5'), digest: null, blobs, bytes: 0, referrers: 0, detail: 'use --force' },
      { repository: 'r/c', action: 'failed', previousDigest: null, digest: null, blobs, bytes: 0, referrers: 0, detail: 'PUT: 400' }] }],
  };
  assert.deepEqual(reportAnnotations(sync).map((x) => x.message), [
    `r/b: conflict (source ${digest('4')}, target ${digest('5')}) — use --force`,
    `r/c: failed (source ${digest('4')}, target none) — PUT: 400`,
  ]);
  assert.deepEqual(reportOutputs(sync), { drift: 1, failed: 1 });
});

// A release a week later with `latest` moving at the source: every floating row is held as
// source-moved (or refused by the signature check) and sync exits 1, but `drift` and `failed` said
// 0 and 0, so a later step gating on them (`if: steps.mirror.outputs.drift != '0'`) saw nothing.
test('sync rows held as source-moved or refused count as drift in the outputs, as verify counts them', () => {
  const sync: SyncReport = {
    version: 1, kind: 'sync', generatedAt: '', results: [],
    summary: { repositories: 1, tags: 3, targets: 3, copied: 3, skipped: 0, conflicts: 1, failed: 0, refused: 2, moved: 6, bytes: 0 },
  };
  assert.deepEqual(reportOutputs(sync), { drift: 9, failed: 0 });
});

// Held rows are not read at the target, so they carry no digest there: "target none" read as if
// the target had lost the tag, where it still holds the recorded digest (release2 hunt).
test('a row sync held back says its target is unchanged, not none', () => {
  const blobs = { copied: 0, mounted: 0, existing: 0 };
  const row = (action: 'source-moved' | 'refused') => ({ repository: 'r/a', action, previousDigest: null, digest: null, blobs, bytes: 0, referrers: 0, detail: 'held' });
  const sync: SyncReport = {
    version: 1, kind: 'sync', generatedAt: '', summary: { repositories: 1, tags: 1, targets: 2, copied: 0, skipped: 0, conflicts: 0, failed: 0, moved: 1, refused: 1, bytes: 0 },
    results: [{ source: 'quay.io/jetstack/a', tag: 'latest', sourceDigest: digest('6'), targets: [row('source-moved'), row('refused')] }],
  };
  assert.deepEqual(reportAnnotations(sync).map((x) => x.message), [
    `r/a: source-moved (source ${digest('6')}, target unchanged) — held`,
    `r/a: refused (source ${digest('6')}, target unchanged) — held`,
  ]);
});

test('past 10 rows, every row still has its error, after one warning saying GitHub shows 10', () => {
  const row = (i: number) => ({ source: 'quay.io/jetstack/a', tag: `v1.0.${i}`, sourceDigest: digest('1'), targets: [{ repository: 'ghcr.io/cm/a', status: 'missing' as const, digest: null, detail: '' }] });
  const report = (n: number): VerifyReport => ({ version: 1, generatedAt: '', summary: { repositories: 1, tags: n, targets: 1, inSync: 0, drift: n, errors: 0 }, results: Array.from({ length: n }, (_, i) => row(i)) });
  assert.deepEqual(reportAnnotations(report(10)).map((x) => x.level), Array(10).fill('error'));
  const a = reportAnnotations(report(12000));
  assert.equal(a.length, 12001);
  assert.deepEqual(a[0], { level: 'warning', title: 'regmirror', message: '12000 rows need attention and GitHub shows the first 10 as annotations: see the step summary, and the JSON report for every row' });
  assert.deepEqual(a.slice(1, 3).map((x) => x.title), ['quay.io/jetstack/a:v1.0.0', 'quay.io/jetstack/a:v1.0.1']);
});

test('in GitHub Actions a warning is one escaped ::warning line; elsewhere a plain line', () => {
  const lines: string[] = [];
  createLogger('normal', (l) => lines.push(l), true).warn('quay.io said: slow down\n::error::x');
  createLogger('normal', (l) => lines.push(l), false).warn('plain');
  assert.deepEqual(lines, ['::warning::quay.io said: slow down%0A::error::x\n', 'warning: plain\n']);
});
