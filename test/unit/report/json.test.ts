import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { parseReport } from '../../../src/report/parse.js';
import type { VerifyReport } from '../../../src/report/model.js';
import { syncReport, verifyReport } from './fixture.js';

test('verify JSON round-trips through parseReport', () => {
  const report = verifyReport();
  const text = renderReport(report, 'json');
  assert.deepEqual(parseReport(text, 'r.json'), report);
  assert.ok(text.endsWith('}\n'));
  assert.ok(text.includes('\n  "summary": {\n    "repositories": 3,'), '2-space indent');
});

test('verify JSON keys follow SPEC order even when built out of order, and extra fields are dropped', () => {
  const r = verifyReport();
  const scrambled = {
    results: r.results.map((x) => ({ targets: x.targets.map((t) => ({ detail: t.detail, digest: t.digest, status: t.status, repository: t.repository, secret: 'no' })), tag: x.tag, sourceDigest: x.sourceDigest, source: x.source })),
    summary: { errors: r.summary.errors, drift: r.summary.drift, inSync: r.summary.inSync, targets: r.summary.targets, tags: r.summary.tags, repositories: r.summary.repositories },
    generatedAt: r.generatedAt,
    version: 1,
    note: 'dropped',
  } as unknown as VerifyReport;
  const out = JSON.parse(renderReport(scrambled, 'json'));
  assert.deepEqual(Object.keys(out), ['version', 'generatedAt', 'summary', 'results']);
  assert.deepEqual(Object.keys(out.summary), ['repositories', 'tags', 'targets', 'inSync', 'drift', 'errors']);
  assert.deepEqual(Object.keys(out.results[0]), ['source', 'tag', 'sourceDigest', 'targets']);
  assert.deepEqual(Object.keys(out.results[0].targets[0]), ['repository', 'status', 'digest', 'detail']);
  assert.equal('kind' in out, false, 'verify reports carry no kind');
});

test('extra rows keep sourceDigest null in JSON', () => {
  const out = JSON.parse(renderReport(verifyReport(), 'json'));
  const extra = out.results.find((r: { tag: string }) => r.tag === 'v0.1.0-old');
  assert.equal(extra.sourceDigest, null);
});

test('sync and plan JSON round-trip with kind second', () => {
  for (const kind of ['sync', 'plan'] as const) {
    const report = syncReport(kind);
    const text = renderReport(report, 'json');
    assert.deepEqual(parseReport(text, 'r.json'), report);
    assert.deepEqual(Object.keys(JSON.parse(text)), ['version', 'kind', 'generatedAt', 'summary', 'results']);
  }
});

test('blobs.foreign round-trips where a target left foreign layers at their URLs, and is absent elsewhere (older reports parse as before)', () => {
  const report = syncReport('sync');
  const target = report.results[0]!.targets[0]!;
  target.blobs = { ...target.blobs, foreign: 2 };
  const text = renderReport(report, 'json');
  assert.deepEqual(parseReport(text, 'r.json'), report);
  const out = JSON.parse(text);
  assert.deepEqual(out.results[0].targets[0].blobs, { copied: 2, mounted: 1, existing: 0, foreign: 2 });
  assert.equal('foreign' in out.results[0].targets[1].blobs, false);
  out.results[0].targets[0].blobs.foreign = 'two';
  assert.throws(() => parseReport(JSON.stringify(out), 'r.json'), /blobs\.foreign/);
});
