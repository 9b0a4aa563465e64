// `engine: skopeo` rows were dropped from the JSON form (report hunt): `sync --engine skopeo
// --format json -o r.json` wrote no `engine`, while `--report` (the model as it is) kept it, so
// `report render` of the first file, and any `report merge` of shards, said "0 B uploaded" without
// "(copies by skopeo not counted)": a copy of unknown size read as an empty one. The key now
// survives the canonical form, after `bytes` as in the model, and round-trips through merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { parseReport } from '../../../src/report/parse.js';
import { mergeReports } from '../../../src/report/merge.js';
import { summaryLine } from '../../../src/report/headline.js';
import type { SyncReport } from '../../../src/report/model.js';
import { syncReport } from './fixture.js';

function bySkopeo(): SyncReport {
  const report = syncReport('sync');
  const row = report.results[0]!.targets[0]!;
  Object.assign(row, { engine: 'skopeo', bytes: 0, blobs: { copied: 0, mounted: 0, existing: 0 } });
  return report;
}

test('the JSON form keeps engine: skopeo, so a rendered or merged report still says its bytes are not counted', () => {
  const text = renderReport(bySkopeo(), 'json');
  const row = JSON.parse(text).results[0].targets[0];
  assert.equal(row.engine, 'skopeo');
  assert.deepEqual(Object.keys(row), ['repository', 'action', 'previousDigest', 'digest', 'blobs', 'bytes', 'engine', 'referrers', 'detail']);
  const read = parseReport(text, 'r.json');
  assert.match(summaryLine(read), /\(copies by skopeo not counted\)$/);
  const merged = parseReport(renderReport(mergeReports([read]), 'json'), 'merged.json');
  assert.match(summaryLine(merged), /\(copies by skopeo not counted\)$/);
  assert.equal('engine' in JSON.parse(renderReport(syncReport('sync'), 'json')).results[0].targets[0], false, 'native rows keep their shape');
});
