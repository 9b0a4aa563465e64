// `sync --deep` whose refill of a tag already in place failed (a child manifest PUT refused, a
// blob upload cut off) ended "next: failures: rerun `regmirror sync` once fixed (it resumes)". A
// plain sync skips that tag (its digest matches), says "skipped" and exits 0, and the image stays
// incomplete until a verify --deep finds it again. A failed row whose tag was already at the
// source digest can only be completed by `sync --deep`; other failures keep the plain advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../../src/report/headline.js';
import { reportRows } from '../../../src/report/rows.js';
import { summarizeSync } from '../../../src/report/summary.js';
import type { SyncReport, SyncTargetResult } from '../../../src/report/model.js';
import { D } from './fixture.js';

const failed = (previousDigest: string | null): SyncTargetResult => ({
  repository: 'ghcr.io/cert-manager/app', action: 'failed', previousDigest, digest: null,
  blobs: { copied: 0, mounted: 0, existing: 3, foreign: 0 }, bytes: 0, referrers: 0,
  detail: 'destination ghcr.io/cert-manager/app: PUT …/manifests/sha256:…: forbidden',
});

const report = (previousDigest: string | null): SyncReport => {
  const results = [{ source: 'quay.io/jetstack/app', tag: 'v1.3.0', sourceDigest: D('a'), targets: [failed(previousDigest)] }];
  return { version: 1, kind: 'sync', generatedAt: '2026-01-01T00:00:00Z', summary: summarizeSync(results, 'sync'), results };
};

test('a failed row whose tag was already in place advises sync --deep, not a plain sync that skips it', () => {
  const r = report(D('a'));
  const next = nextStep(r, reportRows(r));
  assert.doesNotMatch(next, /rerun `regmirror sync` once fixed/);
  assert.match(next, /failures: rerun `regmirror sync --deep` once fixed \(it resumes; a plain sync skips a tag already in place\)/);
});

test('a failed copy of a tag the target lacked keeps the plain advice', () => {
  for (const previous of [null, D('b')]) {
    const r = report(previous);
    assert.match(nextStep(r, reportRows(r)), /^next: failures: rerun `regmirror sync` once fixed \(it resumes\)$/);
  }
});

test('a --force retarget refused by immutable tags advises deleting the tag and sync --force, not sync --deep', () => {
  // verify5: sync --force into ECR (immutable tags), a tag and the signature tag of an image in place refused.
  const immutable = (tag: string) => `tag ${tag}: the registry refuses to move it (400 TAG_INVALID: …): its tags are immutable, so ${tag} keeps the digest it has there; to retarget it, delete the tag at that registry (ECR: aws ecr batch-delete-image --image-ids imageTag=${tag}) or make the repository's tags mutable, then run sync --force again`;
  const results = [
    { source: 'quay.io/jetstack/app', tag: 'v1.2.0', sourceDigest: D('a'), targets: [{ ...failed(D('b')), detail: `destination ghcr.io/cert-manager/app: ${immutable('v1.2.0')}` }] },
    { source: 'quay.io/jetstack/app', tag: 'latest', sourceDigest: D('c'), targets: [{ ...failed(D('c')), detail: `referrer: sha256-c.sig: destination ghcr.io/cert-manager/app: ${immutable('sha256-c.sig')}` }] },
  ];
  const r: SyncReport = { version: 1, kind: 'sync', generatedAt: '2026-01-01T00:00:00Z', summary: summarizeSync(results, 'sync'), results };
  assert.equal(nextStep(r, reportRows(r)), 'next: tags the registry will not move (immutable): delete them there or make its tags mutable, as each line says, then rerun `regmirror sync --force`');
});
