import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { syncReport, verifyReport, verifyResults } from './fixture.js';

const ESC = '\u001b';

test('table starts with the summary line', () => {
  const first = renderReport(verifyReport(), 'table').split('\n')[0];
  assert.equal(first, '3 repositories · 7 tags · 2 targets — 8 in sync, 5 drift, 2 errors');
});

test('table lists only drift and error rows by default, grouped by source', () => {
  const text = renderReport(verifyReport(), 'table');
  for (const status of ['missing', 'mismatch', 'extra', 'incomplete', 'missing-referrers', 'error']) assert.match(text, new RegExp(`  ${status} `));
  assert.doesNotMatch(text, /in-sync/);
  assert.doesNotMatch(text, /v1\.14\.0 +ghcr\.io\/cert-manager\/cert-manager-controller/, 'in-sync tag absent');
  assert.equal(text.split('\n').filter((l) => l === 'quay.io/jetstack/cert-manager-controller').length, 1);
  assert.equal(text.split('\n').filter((l) => l === 'quay.io/jetstack/cmctl').length, 1);
  assert.match(text, /sha256:bbbbbbbb…/);
});

test('table with all: true includes in-sync rows', () => {
  const text = renderReport(verifyReport(), 'table', { all: true });
  assert.equal(text.split('\n').filter((l) => / in-sync /.test(l)).length, 8);
});

test('table has no ANSI without color, no trailing spaces, aligned columns', () => {
  const text = renderReport(verifyReport(), 'table', { color: false });
  assert.equal(text.includes(ESC), false);
  for (const line of text.split('\n')) assert.equal(line, line.trimEnd());
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('  TAG'));
  const row = lines.find((l) => l.startsWith('  v1.9.0'));
  assert.ok(header && row);
  assert.equal(row.indexOf('missing'), header.indexOf('STATUS'));
});

test('table colors status only when asked', () => {
  const text = renderReport(verifyReport(), 'table', { color: true });
  assert.ok(text.includes(`${ESC}[31m`), 'errors in red');
});

test('table ends with what to do next when there is drift', () => {
  const last = renderReport(verifyReport(), 'table').trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^next: run `regmirror sync` to copy missing tags; .*mismatches need `regmirror sync --force`/);
  // Errors are not all access: a registry down, a tag the source lacks, a schema 1 tag each say their own cause.
  assert.match(last, /errors left the audit incomplete: fix what each one says \(access, a registry down, a tag the source lacks\)/);
  const clean = verifyReport(verifyReport().results.filter((r) => r.targets.every((t) => t.status === 'in-sync')));
  assert.deepEqual(renderReport(clean, 'table').split('\n'), ['3 repositories · 3 tags · 2 targets — 6 in sync, 0 drift, 0 errors', '']);
});

test('table cuts the detail column to the width', () => {
  const text = renderReport(verifyReport(), 'table', { width: 130 });
  for (const line of text.split('\n').filter((l) => l.startsWith('  '))) assert.ok(line.length <= 130, line);
  assert.match(text, /unreachable: [^\n]*…$/m, 'the long detail was cut');
  assert.match(renderReport(verifyReport(), 'table'), /unreachable: <script>alert\(1\)<\/script>$/m, 'no width, no cut');
});

test('table strips control characters a saved report might carry', () => {
  const r = verifyReport();
  r.results[1]!.targets[0]!.detail = `evil ${ESC}[2J clear`;
  assert.equal(renderReport(r, 'table').includes(ESC), false);
});

test('sync table shows copied, conflict, failed, forced; plan says to run sync', () => {
  const text = renderReport(syncReport('sync'), 'table');
  assert.match(text.split('\n')[0] ?? '', /2 copied, 2 skipped, 1 conflict, 1 failed · 3\.9 KiB uploaded$/);
  for (const action of ['copied', 'conflict', 'failed', 'forced']) assert.match(text, new RegExp(`  ${action} `));
  assert.doesNotMatch(text, / skip /);
  assert.match(renderReport(syncReport('plan'), 'table'), /next: run `regmirror sync` to copy/);
});

test('a sync with copies by skopeo says its byte count leaves them out (skopeo does not say what it sent)', () => {
  const report = syncReport('sync');
  report.results[0]!.targets[0]!.engine = 'skopeo';
  assert.match(renderReport(report, 'table').split('\n')[0] ?? '', /3\.9 KiB uploaded \(copies by skopeo not counted\)$/);
  assert.match(renderReport(syncReport('sync'), 'table').split('\n')[0] ?? '', /KiB uploaded$/, 'said only where skopeo copied');
});

test('a publish report says publish wherever it names the command (its failures are rerun with publish, not sync)', () => {
  for (const format of ['table', 'markdown', 'html', 'junit'] as const) {
    const text = renderReport(syncReport('publish'), format);
    assert.doesNotMatch(text, /regmirror sync/, format);
    assert.match(text, /regmirror publish/, format);
  }
  assert.match(renderReport(syncReport('publish'), 'table'), /failures: rerun `regmirror publish` once fixed/);
});

// A 128-character tag (the most a registry takes) made the TAG column 128 wide in every section.
test('table cuts a long tag in its middle; the other sections keep their width; JSON keeps it whole', () => {
  const long = `v1.0.0-${'x'.repeat(60)}-build${'y'.repeat(55)}`;
  assert.equal(long.length, 128);
  const results = verifyResults();
  results.push({ ...results[1]!, tag: long });
  const report = verifyReport(results);
  const text = renderReport(report, 'table', { width: 200 });
  const rows = text.split('\n').filter((l) => l.includes(' missing '));
  const cut = rows.find((l) => l.startsWith('  v1.0.0-'));
  assert.ok(cut, text);
  assert.match(cut, /^ {2}v1\.0\.0-x{13}…y{19} {2}ghcr\.io/, 'start and end of the tag, one ellipsis in between');
  const header = text.split('\n').find((l) => l.startsWith('  TAG'))!;
  assert.ok(header.indexOf('TARGET') <= 2 + 40 + 2, header);
  for (const line of text.split('\n').filter((l) => l.startsWith('  '))) assert.ok(line.length <= 200, line);
  assert.ok(renderReport(report, 'json').includes(long));
  assert.ok(renderReport(report, 'markdown').includes(long));
});
