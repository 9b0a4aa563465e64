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
    assert.match(text, /no rows: nothing was checked \(an empty --shard, a --filter that selects only binaries, or a run interrupted before any row finished\)/);
    assert.doesNotMatch(text, /every target matches/);
  });
}

test('an empty sync report says nothing was done, not that every target already matches', () => {
  const text = renderReport({ ...syncReport('sync'), results: [] }, 'markdown');
  assert.match(text, /no rows: nothing was done \(an empty --shard/);
  assert.doesNotMatch(text, /every target already matches/);
});

test('a report with rows keeps its own advice', () => {
  assert.doesNotMatch(renderReport(verifyReport(), 'table'), /nothing was checked/);
});
