// Small reports covering every status and action: three sources, several tags, two targets each.
import type { SyncReport, SyncTargetResult, VerifyReport, VerifyResult, VerifyStatus } from '../../../src/report/model.js';
import { summarizeSync, summarizeVerify } from '../../../src/report/summary.js';

export const D = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;

const targetsOf = (name: string): [string, string] => [`ghcr.io/cert-manager/${name}`, `quay.io/cert-manager/${name}`];

function result(name: string, tag: string, sourceDigest: string | null, ...rows: [VerifyStatus, string | null, string][]): VerifyResult {
  const targets = targetsOf(name);
  return {
    source: `quay.io/jetstack/${name}`,
    tag,
    sourceDigest,
    targets: rows.map(([status, digest, detail], i) => ({ repository: targets[i] ?? 'x', status, digest, detail })),
  };
}

/** Every status once at least; results deliberately unsorted. */
export function verifyResults(): VerifyResult[] {
  return [
    result('cert-manager-controller', 'v1.14.0', D('a'), ['in-sync', D('a'), ''], ['in-sync', D('a'), '']),
    result('cert-manager-controller', 'v1.9.0', D('b'), ['missing', null, 'tag absent at target'], ['in-sync', D('b'), '']),
    result('cert-manager-controller', 'v1.10.0', D('c'), ['mismatch', D('d'), 'target has sha256:dddd | other'], ['in-sync', D('c'), '']),
    result('cert-manager-webhook', 'v1.14.0', D('e'), ['incomplete', D('e'), 'blob `sha256:ffff` absent'], ['missing-referrers', D('e'), 'no .sig']),
    result('cert-manager-webhook', 'latest', D('e'), ['in-sync', D('e'), ''], ['in-sync', D('e'), '']),
    result('cert-manager-webhook', 'v0.1.0-old', null, ['extra', D('9'), 'tag only at target']),
    result('cmctl', 'v2.0.0', D('1'), ['error', null, 'unreachable: <script>alert(1)</script>'], ['error', null, 'auth: 401 & denied']),
    result('cmctl', '<script>x</script>', D('2'), ['in-sync', D('2'), ''], ['in-sync', D('2'), '']),
  ];
}

export function verifyReport(results = verifyResults()): VerifyReport {
  return { version: 1, generatedAt: '2026-01-01T00:00:00Z', summary: summarizeVerify(results), results };
}

function sync(action: SyncTargetResult['action'], repository: string, detail = ''): SyncTargetResult {
  return { repository, action, previousDigest: action === 'conflict' ? D('7') : null, digest: action === 'failed' ? null : D('6'), blobs: { copied: 2, mounted: 1, existing: 0 }, bytes: action === 'skip' ? 0 : 1000, referrers: 1, detail };
}

/** A sync (or plan, or publish) report with every action. */
export function syncReport(kind: SyncReport['kind'] = 'sync'): SyncReport {
  const [g, q] = targetsOf('cmctl');
  const copied = kind === 'plan' ? 'copy' : 'copied';
  const results = [
    { source: 'quay.io/jetstack/cmctl', tag: 'v2.1.0', sourceDigest: D('6'), targets: [sync(copied, g), sync('skip', q)] },
    { source: 'quay.io/jetstack/cmctl', tag: 'v2.0.0', sourceDigest: D('6'), targets: [sync('conflict', g, 'points at sha256:7777'), sync('failed', q, 'PUT 500 | `boom`')] },
    { source: 'quay.io/jetstack/cmctl', tag: 'v1.0.0', sourceDigest: D('6'), targets: [sync('forced', g), sync('skip', q)] },
  ];
  return { version: 1, kind, generatedAt: '2026-01-01T00:00:00Z', summary: summarizeSync(results, kind === 'plan' ? 'plan' : 'sync'), results };
}
