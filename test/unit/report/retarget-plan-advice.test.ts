// `sync --dry-run --force` (verify4 hunt: a mismatch at a quay.io target that verify said needs
// `regmirror sync --force`) planned the retarget as `copy` and advised "run `regmirror sync` to
// copy": that sync, without --force, left the tag a conflict (exit 1). A plan whose copies go over
// a tag at another digest now says they need the --force (or --accept-moved) it was made with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../../src/report/headline.js';
import { reportRows } from '../../../src/report/rows.js';
import type { SyncReport, SyncTargetResult } from '../../../src/report/model.js';
import { summarizeSync } from '../../../src/report/summary.js';
import { D } from './fixture.js';

const copy = (repository: string, previousDigest: string | null): SyncTargetResult => ({ repository, action: 'copy', previousDigest, digest: null, blobs: { copied: 0, mounted: 0, existing: 0 }, bytes: 0, referrers: 0, detail: '' });
const plan = (...targets: SyncTargetResult[]): SyncReport => {
  const results = [{ source: 'quay.io/jetstack/app', tag: 'v1.0.0', sourceDigest: D('a'), targets }];
  return { version: 1, kind: 'plan', generatedAt: '2026-01-01T00:00:00Z', summary: summarizeSync(results, 'plan'), results };
};

test('a plan that retargets tags names the --force it was made with', () => {
  const r = plan(copy('ghcr.io/cert-manager/app', null), copy('quay.io/cert-manager/app', D('b')));
  assert.equal(nextStep(r, reportRows(r)), 'next: run `regmirror sync` to copy, with the --force or --accept-moved this plan was made with: 1 copy retargets a tag that holds another digest at the target, which a sync without it holds back (conflict, or source-moved under a lock)');
});

test('a plan of absent tags and referrers (or a tag in place) advises a plain sync', () => {
  const r = plan(copy('ghcr.io/cert-manager/app', null), copy('quay.io/cert-manager/app', D('a')));
  assert.equal(nextStep(r, reportRows(r)), 'next: run `regmirror sync` to copy');
});
