import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { syncReport, verifyReport } from './fixture.js';

// Cells of a GFM table row, splitting on pipes that are not backslash-escaped.
function cells(line: string): string[] {
  return line.slice(2, -2).split(/(?<!\\) \| /);
}

test('markdown has a heading, a summary table, a drift table and every row folded', () => {
  const text = renderReport(verifyReport(), 'markdown');
  assert.match(text, /^## regmirror verify\n/);
  assert.match(text, /\| repositories \| tags \| targets \| in sync \| drift \| errors \|\n\| --- .*\n\| 3 \| 7 \| 2 \| 8 \| 5 \| 2 \|/);
  assert.match(text, /### Drift and errors \(7\)/);
  const [before, folded] = text.split('<details>');
  assert.ok(before && folded);
  assert.equal(before.split('\n').filter((l) => l.startsWith('| quay.io/')).length, 7);
  assert.equal(folded.split('\n').filter((l) => l.startsWith('| quay.io/')).length, 15);
  assert.match(folded, /^<summary>All 15 rows<\/summary>/);
  assert.match(text, /<\/details>\n$/);
});

test('markdown escapes pipes, backticks and HTML in cells', () => {
  const text = renderReport(verifyReport(), 'markdown');
  assert.ok(text.includes('target has sha256:dddd \\| other'));
  assert.ok(text.includes('blob \\`sha256:ffff\\` absent'));
  assert.equal(text.includes('<script>'), false);
  for (const line of text.split('\n').filter((l) => l.startsWith('| quay.io/'))) assert.equal(cells(line).length, 7, line);
});

test('markdown for sync and plan', () => {
  const text = renderReport(syncReport('sync'), 'markdown');
  assert.match(text, /^## regmirror sync\n/);
  assert.ok(text.includes('PUT 500 \\| \\`boom\\`'));
  assert.match(renderReport(syncReport('plan'), 'markdown'), /\| to copy \|/);
});
