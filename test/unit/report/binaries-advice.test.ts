// verify's advice for missing tags: sync copies images, publish pushes binaries (a binaries
// entry's rows carry `binaries: true`, kept through the JSON report and its parser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../../src/report/headline.js';
import { renderJson } from '../../../src/report/json.js';
import { parseReport } from '../../../src/report/parse.js';
import { reportRows } from '../../../src/report/rows.js';
import type { VerifyResult } from '../../../src/report/model.js';
import { D, verifyReport } from './fixture.js';

const missing = (source: string, binaries: boolean): VerifyResult => ({
  source, tag: 'v1.2.3', sourceDigest: D('a'), ...(binaries ? { binaries: true as const } : {}),
  targets: [{ repository: `ghcr.io/cert-manager/${source}`, status: 'missing', digest: null, detail: 'tag absent at target' }],
});
const advice = (results: VerifyResult[]) => {
  const r = verifyReport(results);
  return nextStep(r, reportRows(r));
};

test('missing binaries advise publish; missing images sync; both, both', () => {
  assert.equal(advice([missing('cmctl', true)]), 'next: missing binaries: push them with `regmirror publish --tag TAG` (sync copies images only)');
  assert.equal(advice([missing('controller', false)]), 'next: run `regmirror sync` to copy missing tags');
  assert.match(advice([missing('controller', false), missing('cmctl', true)]), /^next: run `regmirror sync` to copy missing tags; missing binaries: push them with `regmirror publish/);
});

test('the JSON report keeps a binaries row as one, and its parser reads it back', () => {
  const text = renderJson(verifyReport([missing('cmctl', true), missing('controller', false)]));
  const parsed = parseReport(text, 'r.json');
  assert.deepEqual(parsed.results.map((r) => [r.source, 'binaries' in r ? r.binaries : undefined]), [['cmctl', true], ['controller', undefined]]);
  assert.throws(() => parseReport(text.replace('"binaries": true', '"binaries": "yes"'), 'r.json'), /binaries.*is not true/);
});
