// A report of no rows said "No drift: every target matches its source." (markdown) or nothing at all
// (table, HTML) (report hunt): `verify --filter 'cert-manger-*'` (a typo) selected no repository,
// audited nothing, and its step summary read as a clean audit. Every human format now says that
// nothing was checked and what to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, type Format } from '../../../src/report/render.js';
import { syncReport, verifyReport } from './fixture.js';

const empty = verifyReport([]);

for (const format of ['table', 'markdown', 'html'] as Format[]) {
  test(`an empty verify report says in ${format} that nothing was checked`, () => {
    const text = renderReport(empty, format);
    assert.match(text, /nothing was checked: no repository was selected \(check --filter and --shard\)/);
    assert.doesNotMatch(text, /every target matches/);
  });
}

test('an empty sync report says nothing was done, not that every target already matches', () => {
  const text = renderReport({ ...syncReport('sync'), results: [] }, 'markdown');
  assert.match(text, /nothing was done: no repository was selected/);
  assert.doesNotMatch(text, /every target already matches/);
});

test('a report with rows keeps its own advice', () => {
  assert.doesNotMatch(renderReport(verifyReport(), 'table'), /nothing was checked/);
});
