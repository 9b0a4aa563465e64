// A target down under many tags: its reason was repeated on every row of the table, the step
// summary and the HTML page (325 times in the verify5 scenario); the human reports now say it once
// per target and point to it from the rows, while JSON keeps every row's detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import type { VerifyResult } from '../../../src/report/model.js';
import { SAID_ONCE } from '../../../src/report/shared-detail.js';
import { D, syncReport, verifyReport } from './fixture.js';

const DOWN = 'cannot list tags: quay.io unreachable: GET https://quay.io/v2/cert-manager/app/tags/list: nothing accepts connections at that address and port (ECONNREFUSED) (tried 5 times)';
const results: VerifyResult[] = Array.from({ length: 40 }, (_, i) => ({
  source: 'quay.io/jetstack/app',
  tag: `v1.${i}.0`,
  sourceDigest: D(String(i % 10)),
  targets: [
    { repository: 'ghcr.io/cert-manager/app', status: i < 2 ? 'error' : 'in-sync', digest: i < 2 ? null : D(String(i % 10)), detail: i < 2 ? `HEAD …: 500 on v1.${i}.0` : '' },
    { repository: 'quay.io/cert-manager/app', status: 'error', digest: null, detail: DOWN },
  ],
}));
const report = verifyReport(results);
const times = (text: string, what: string) => text.split(what).length - 1;

test('the table says a target-wide reason once, under its source, and the rows point to it', () => {
  const text = renderReport(report, 'table', { width: 200 });
  assert.equal(times(text, DOWN), 1, text);
  assert.match(text, new RegExp(`^  quay\\.io/cert-manager/app, 40 tags: ${DOWN.replace(/[.()?*+[\]]/g, '\\$&')}$`, 'm'));
  assert.equal(times(text, SAID_ONCE), 40);
  // A reason on fewer rows stays on them.
  assert.match(text, /v1\.0\.0 +ghcr\.io\/cert-manager\/app +error .*HEAD …: 500 on v1\.0\.0$/m);
});

test('markdown says it once above its tables; HTML once above the matrix, its tooltips whole', () => {
  const md = renderReport(report, 'markdown');
  assert.equal(times(md, 'ECONNREFUSED'), 1, md);
  assert.match(md, /^- ❌ quay\.io\/cert-manager\/app, 40 tags: cannot list tags: /m);
  const html = renderReport(report, 'html');
  const shown = html.replace(/ title="[^"]*"/g, '');
  assert.equal(times(shown, 'ECONNREFUSED'), 1);
  assert.match(shown, /<p class="note error">quay\.io\/cert-manager\/app, 40 tags: cannot list tags: /);
  assert.equal(times(html, 'ECONNREFUSED'), 41, 'each cell keeps its reason in its tooltip');
});

test('JSON keeps every row its reason', () => {
  const json = JSON.parse(renderReport(report, 'json')) as { results: { targets: { detail: string }[] }[] };
  assert.equal(json.results.flatMap((r) => r.targets).filter((t) => t.detail === DOWN).length, 40);
});

test('drift keeps its own short details, and a sync\'s few failures are said where they are', () => {
  const missing = verifyReport(results.map((r) => ({ ...r, targets: r.targets.map((t) => ({ ...t, status: 'missing' as const, detail: 'tag absent at the target' })) })));
  assert.doesNotMatch(renderReport(missing, 'table'), new RegExp(SAID_ONCE));
  assert.doesNotMatch(renderReport(syncReport(), 'table'), new RegExp(SAID_ONCE));
});
