// The plain per-target lines sync and publish print as tags finish (src/cli/lines.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultLines, runResultLines } from '../../../src/cli/lines.js';
import type { SyncTargetResult } from '../../../src/report/model.js';

const target = (over: Partial<SyncTargetResult>): SyncTargetResult => ({
  repository: 'ghcr.io/cert-manager/app', action: 'copied', previousDigest: null, digest: 'sha256:' + 'a'.repeat(64),
  blobs: { copied: 1, mounted: 0, existing: 0 }, bytes: 7, referrers: 0, detail: '', ...over,
});

test('a copied target says how many blobs, in the singular for one', () => {
  const one = resultLines({ source: 'quay.io/jetstack/app', tag: 'v1', sourceDigest: null, targets: [target({})] });
  assert.equal(one, 'quay.io/jetstack/app:v1 → ghcr.io/cert-manager/app: copied (1 blob uploaded, 0 mounted, 7 B)');
  const many = resultLines({ source: 'quay.io/jetstack/app', tag: 'v1', sourceDigest: null, targets: [target({ blobs: { copied: 3, mounted: 2, existing: 0 } })] });
  assert.match(many ?? '', /copied \(3 blobs uploaded, 2 mounted, 7 B\)$/);
});

test('a rerun that resumes a copy an outage cut says what was already there', () => {
  // A source that went down mid-release left 3 of 6 blobs at the target; the rerun's line read
  // "copied (3 blobs uploaded, 0 mounted, 9.0 MiB)", not saying that it resumed (the report had it).
  const resumed = resultLines({ source: 'quay.io/jetstack/app', tag: 'v1', sourceDigest: null, targets: [target({ blobs: { copied: 3, mounted: 0, existing: 3 } })] });
  assert.match(resumed ?? '', /copied \(3 blobs uploaded, 0 mounted, 3 already there, 7 B\)$/);
});

test('targets already in place print nothing; a detail with line breaks stays on one line', () => {
  assert.equal(resultLines({ source: 's', tag: 't', sourceDigest: null, targets: [target({ action: 'skip' })] }), undefined);
  const failed = resultLines({ source: 's', tag: 't', sourceDigest: null, targets: [target({ action: 'failed', detail: 'refused:\nsecond line' })] });
  assert.equal(failed, 's:t → ghcr.io/cert-manager/app: failed — refused: second line');
});

test('in one run, a detail printed in full before points back at the line that said it', () => {
  const lines = runResultLines();
  const refused = (tag: string) => ({ source: 'quay.io/jetstack/app', tag, sourceDigest: null, targets: [target({ action: 'failed', detail: 'cannot list tags: ghcr.io: its TLS certificate is not trusted (…)' })] });
  assert.equal(lines(refused('v1')), 'quay.io/jetstack/app:v1 → ghcr.io/cert-manager/app: failed — cannot list tags: ghcr.io: its TLS certificate is not trusted (…)');
  assert.equal(lines(refused('v2')), 'quay.io/jetstack/app:v2 → ghcr.io/cert-manager/app: failed — the same as for quay.io/jetstack/app:v1 above');
  const other = lines({ source: 'quay.io/jetstack/app', tag: 'v3', sourceDigest: null, targets: [target({ action: 'failed', detail: 'another reason' })] });
  assert.match(other ?? '', /failed — another reason$/);
  assert.match(runResultLines()(refused('v4')) ?? '', /failed — cannot list tags/, 'a new run starts afresh');
});

test('a target failing the same way at every repository reads once: its URL and repository name left out of the comparison', () => {
  const lines = runResultLines();
  const down = (repo: string, tag: string, detail: string) => ({ source: `quay.io/jetstack/${repo}`, tag, sourceDigest: null, targets: [target({ repository: `registry.internal/cert-manager/${repo}`, action: 'failed' as const, detail })] });
  const list = (repo: string) => `cannot list tags: GET https://127.0.0.1:44201/v2/cert-manager/${repo}/tags/list: 503 Service Unavailable`;
  assert.match(lines(down('controller', 'v1', list('controller'))) ?? '', /failed — cannot list tags: GET .*\/v2\/cert-manager\/controller\/tags\/list: 503/);
  assert.equal(lines(down('webhook', 'v1', list('webhook'))), 'quay.io/jetstack/webhook:v1 → registry.internal/cert-manager/webhook: failed — the same as for quay.io/jetstack/controller:v1 above');
  const put = (repo: string) => `destination registry.internal/cert-manager/${repo}: PUT https://127.0.0.1:44201/v2/cert-manager/${repo}/manifests/v1: 502 Bad Gateway`;
  assert.match(lines(down('controller', 'v2', put('controller'))) ?? '', /failed — destination .*: 502 Bad Gateway$/);
  assert.match(lines(down('webhook', 'v2', put('webhook'))) ?? '', /failed — the same as for quay.io\/jetstack\/controller:v2 above$/);
  // The registry's own words naming the repository keep the lines apart.
  const create = (repo: string) => `destination x/${repo}: create the repository cert-manager/${repo} at ECR`;
  lines(down('controller', 'v3', create('controller')));
  assert.match(lines(down('webhook', 'v3', create('webhook'))) ?? '', /create the repository cert-manager\/webhook/);
});

test('a copy that left foreign layers at their URLs says how many, so a small byte count is not taken for a partial copy', () => {
  const one = resultLines({ source: 'mcr.microsoft.com/windows/servercore', tag: 'ltsc2022', sourceDigest: null, targets: [target({ blobs: { copied: 2, mounted: 0, existing: 0, foreign: 1 } })] });
  assert.match(one ?? '', /copied \(2 blobs uploaded, 0 mounted, 7 B; 1 foreign layer left at its URLs\)$/);
  const two = resultLines({ source: 'mcr.microsoft.com/windows/servercore', tag: 'ltsc2022', sourceDigest: null, targets: [target({ blobs: { copied: 0, mounted: 0, existing: 2, foreign: 2 } })] });
  assert.match(two ?? '', /; 2 foreign layers left at their URLs\)$/);
});

test('a copy skopeo made says so, not "0 blobs uploaded, 0 mounted, 0 B" that it never counted', () => {
  // engine: skopeo moves the blobs itself and reports none of them: zeros read as an empty copy.
  const line = resultLines({ source: 'quay.io/jetstack/app', tag: 'v1', sourceDigest: null, targets: [target({ engine: 'skopeo', blobs: { copied: 0, mounted: 0, existing: 0 }, bytes: 0 })] });
  assert.equal(line, 'quay.io/jetstack/app:v1 → ghcr.io/cert-manager/app: copied by skopeo (blobs and bytes not counted)');
});

test('what a copy did is said on each line, never pointed back at', () => {
  // verify4 hunt: a sync that copied one referrer for v2.0.0 to two targets printed the second as
  // 'copied (0 blobs uploaded, 0 mounted, 2 already there, 0 B) — the same as for …/art:v2.0.0 above',
  // the wording of a failure repeated, for a copy that went well and differed in its counts.
  const lines = runResultLines();
  const detail = 'tag already in place; 1 signature/attestation/SBOM manifest(s) copied';
  const row = (repository: string, action: 'copied' | 'forced') => ({ source: 'quay.io/jetstack/art', tag: 'v2.0.0', sourceDigest: null, targets: [target({ repository, action, detail })] });
  assert.match(lines(row('ghcr.io/cert-manager/art', 'copied')) ?? '', /copied \(.*\) — tag already in place; 1 signature\/attestation\/SBOM manifest\(s\) copied$/);
  assert.match(lines(row('quay.io/cert-manager/art', 'copied')) ?? '', /copied \(.*\) — tag already in place; 1 signature\/attestation\/SBOM manifest\(s\) copied$/);
  assert.match(lines(row('ecr.example/cert-manager/art', 'forced')) ?? '', /forced \(.*\) — tag already in place/);
});

test('a detail repeating an error line the run printed points at it instead', () => {
  // ceo3 hunt: `error: HOST: its TLS certificate is not trusted (…)` and then the first row's line
  // said the same sentence again in full.
  const said = 'ghcr.io: its TLS certificate is not trusted (…): give the CA …';
  const lines = runResultLines((text) => (text.includes(said) ? said : undefined));
  const refused = (tag: string) => ({ source: 'quay.io/jetstack/app', tag, sourceDigest: null, targets: [target({ action: 'failed', detail: `cannot list tags: ${said}` })] });
  assert.equal(lines(refused('v1')), 'quay.io/jetstack/app:v1 → ghcr.io/cert-manager/app: failed — cannot list tags: as the error line above says');
  assert.equal(lines(refused('v2')), 'quay.io/jetstack/app:v2 → ghcr.io/cert-manager/app: failed — the same as for quay.io/jetstack/app:v1 above');
  assert.match(lines({ source: 'quay.io/jetstack/app', tag: 'v3', sourceDigest: null, targets: [target({ action: 'failed', detail: 'another reason' })] }) ?? '', /failed — another reason$/);
});

test('skopeo refusing each tag\'s reference the same way reads once: the image it names is left out of the comparison', () => {
  // ceo3 hunt: engine: skopeo to a target on [::1]: 17 rows each said in full 'skopeo: Invalid
  // destination name docker://[::1]:48861/skp/testrepo:TAG: invalid reference format (this skopeo …)'.
  const lines = runResultLines();
  const refused = (tag: string) => ({ source: 'quay.io/jetstack/app', tag, sourceDigest: null, targets: [target({ repository: '[::1]:5001/mirror/app', action: 'failed', detail: `destination [::1]:5001/mirror/app: skopeo: Invalid destination name docker://[::1]:5001/mirror/app:${tag}: invalid reference format (this skopeo cannot name the IPv6 address [::1]:5001 in an image reference; …)` })] });
  assert.match(lines(refused('v1')) ?? '', /failed — destination \[::1\]:5001\/mirror\/app: skopeo: Invalid destination name docker:\/\/\[::1\]:5001\/mirror\/app:v1: invalid reference format/);
  assert.equal(lines(refused('v2')), 'quay.io/jetstack/app:v2 → [::1]:5001/mirror/app: failed — the same as for quay.io/jetstack/app:v1 above');
  const digestRef = { source: 'quay.io/jetstack/app', tag: 'v3', sourceDigest: null, targets: [target({ repository: '[::1]:5001/other/app', action: 'failed', detail: `destination [::1]:5001/other/app: skopeo: Invalid source name docker://[::1]:5001/other/app@sha256:${'c'.repeat(64)}: invalid reference format (x)` })] };
  assert.match(lines(digestRef) ?? '', /failed — destination/, 'a source reference is another cause');
});
