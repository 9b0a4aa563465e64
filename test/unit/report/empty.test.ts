// A report of no rows said "No drift: every target matches its source." (markdown) or nothing at all
// (table, HTML) (report hunt): `verify --filter 'cert-manger-*'` (a typo) selected no repository,
// audited nothing, and its step summary read as a clean audit (such a typo is now exit 2 before any
// request). Every human format now says that nothing was checked and the usual reasons (an
// interrupted sync leaves its cut-short rows out too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, type Format } from '../../../src/report/render.js';
import { syncReport, verifyReport } from './fixture.js';

const empty = verifyReport([]);

for (const format of ['table', 'markdown', 'html'] as Format[]) {
  test(`an empty verify report says in ${format} that nothing was checked`, () => {
    const text = renderReport(empty, format);
    // verify does audit binaries: only one with a single target and no source has nothing to compare.
    assert.match(text, /no rows: nothing was checked \(an empty --shard, only binaries entries with one target and no source \(nothing to compare them with\), or a run interrupted before any row finished\)/);
    assert.doesNotMatch(text, /every target matches/);
  });
}

test('an empty sync report says nothing was done, not that every target already matches', () => {
  const text = renderReport({ ...syncReport('sync'), results: [] }, 'markdown');
  // sync copies images only: a config (or --filter) of binaries alone did nothing, exit 0, and the line named only the --filter.
  assert.match(text, /no rows: nothing was done \(an empty --shard, no image selected \(binaries are pushed by `regmirror publish`\), or a run interrupted before any row finished\)/);
  assert.doesNotMatch(text, /every target already matches/);
});

test('a report with rows keeps its own advice', () => {
  assert.doesNotMatch(renderReport(verifyReport(), 'table'), /nothing was checked/);
});

test('an empty publish report does not send the user to publish', () => {
  const text = renderReport({ ...syncReport('publish'), results: [] }, 'table');
  assert.match(text, /no rows: nothing was done \(an empty --shard, no binaries entry selected, or a run interrupted/);
});
