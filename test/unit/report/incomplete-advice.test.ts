// `verify --deep` found a target image whose tag points at the source digest but whose child
// manifest is gone (`incomplete`), and advised "run `regmirror sync` to copy missing tags" (report
// hunt, on a real registry). sync, and sync --force, skip that tag (its digest matches) and the
// next verify --deep said `incomplete` again: the advice led nowhere. It now names `sync --deep`,
// which copies the parts of tags in place (test/integration/sync/deep-refill.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../../src/report/headline.js';
import { reportRows } from '../../../src/report/rows.js';
import { D, verifyReport } from './fixture.js';

const report = (status: 'incomplete' | 'missing') =>
  verifyReport([{ source: 'quay.io/jetstack/app', tag: 'v1.3.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cert-manager/app', status, digest: status === 'missing' ? null : D('a'), detail: 'absent at the target: manifest sha256:…' }] }]);

test('incomplete rows do not advise a plain sync, which skips them', () => {
  const r = report('incomplete');
  const next = nextStep(r, reportRows(r));
  assert.doesNotMatch(next, /run `regmirror sync` to copy missing tags/);
  assert.match(next, /incomplete images need `regmirror sync --deep`, which copies the parts a tag in place lacks/);
});

test('missing rows still advise sync', () => {
  const r = report('missing');
  assert.match(nextStep(r, reportRows(r)), /^next: run `regmirror sync` to copy missing tags$/);
});
