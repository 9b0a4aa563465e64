import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPOSITORY_ROW, summarizeSync, summarizeVerify, targetNamespace, reportTimestamp } from '../../../src/report/summary.js';
import { exitCodeForVerify } from '../../../src/report/exit.js';
import { syncReport, verifyReport, verifyResults } from './fixture.js';

test('verify summary counts rows, tags without extra-only results, and target namespaces', () => {
  assert.deepEqual(summarizeVerify(verifyResults()), { repositories: 3, tags: 7, targets: 2, inSync: 8, drift: 5, errors: 2 });
});

test('verify summary of nothing is all zero', () => {
  assert.deepEqual(summarizeVerify([]), { repositories: 0, tags: 0, targets: 0, inSync: 0, drift: 0, errors: 0 });
});

test('sync summary counts copied (incl. forced), skipped, conflicts, failed and bytes', () => {
  assert.deepEqual(syncReport('sync').summary, { repositories: 1, tags: 3, targets: 2, copied: 2, skipped: 2, conflicts: 1, failed: 1, bytes: 4000 });
  assert.equal(summarizeSync(syncReport('plan').results, 'plan').copied, 2, 'plan copy rows count as copied');
});

test('a target is a namespace: repository minus its last segment', () => {
  assert.equal(targetNamespace('ghcr.io/cert-manager/cmctl'), 'ghcr.io');
  assert.equal(targetNamespace('quay.io/cert-manager/charts/cert-manager'), 'quay.io');
  assert.equal(targetNamespace('oci:/srv/mirror/cmctl'), 'oci:/srv/mirror');
});

test('timestamps are UTC whole seconds like SPEC', () => {
  assert.equal(reportTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02T03:04:05Z');
});

test('verify exit code: 3 on any error, else 1 on drift, else 0', () => {
  assert.equal(exitCodeForVerify(verifyReport()), 3);
  const noErrors = verifyResults().filter((r) => r.targets.every((t) => t.status !== 'error'));
  assert.equal(exitCodeForVerify(verifyReport(noErrors)), 1);
  const clean = verifyResults().filter((r) => r.targets.every((t) => t.status === 'in-sync'));
  assert.equal(exitCodeForVerify(verifyReport(clean)), 0);
  const extraOnly = verifyResults().filter((r) => r.targets.every((t) => t.status === 'extra'));
  assert.equal(exitCodeForVerify(verifyReport(extraOnly)), 1, 'extra is drift');
});

test('a repository whose tags could not be listed counts as a repository and its failures, not as a tag', () => {
  const failedListing = { source: 'quay.io/jetstack/other', tag: REPOSITORY_ROW, sourceDigest: null, targets: [{ repository: 'ghcr.io/cert-manager/other', action: 'failed' as const, previousDigest: null, digest: null, blobs: { copied: 0, mounted: 0, existing: 0 }, bytes: 0, referrers: 0, detail: 'source: cannot list tags: GET …: 502 Bad Gateway' }] };
  const sync = summarizeSync([failedListing], 'sync');
  assert.deepEqual([sync.repositories, sync.tags, sync.targets, sync.failed], [1, 0, 1, 1]);
  const verify = summarizeVerify([{ source: 'quay.io/jetstack/other', tag: REPOSITORY_ROW, sourceDigest: null, targets: [{ repository: 'ghcr.io/cert-manager/other', status: 'error', digest: null, detail: 'cannot list tags' }] }]);
  assert.deepEqual([verify.repositories, verify.tags, verify.errors], [1, 0, 1]);
});
