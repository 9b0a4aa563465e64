// A registry's error text with terminal escapes (ESC [31m, BEL, a C1 CSI) reached `--format markdown`
// raw (report hunt): printed to a terminal, the registry could recolor, retitle or rewrite it, which
// the table view (table.ts) and the XML views (escape.ts) already refuse. Cells now carry them as
// spaces, like line breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { D, verifyReport } from './fixture.js';

test('markdown cells carry no control characters from a registry', () => {
  const detail = 'GET 500: \u001b[31mred\u001b[0m \u0007bell \u009b2J \u0000nul\ttab';
  const text = renderReport(
    verifyReport([{ source: 'quay.io/jetstack/app', tag: 'v1.0.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'error', digest: null, detail }] }]),
    'markdown',
  );
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, JSON.stringify(text));
  assert.ok(text.includes('GET 500:  \\[31mred \\[0m  bell  2J  nul tab'), 'the rest of the text stays');
});
