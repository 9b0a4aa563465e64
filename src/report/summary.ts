// Summaries are always recomputed from the rows, so a report can never disagree with itself.
//
// Counting rules (shared by verify and sync/plan):
// - repositories: distinct `source` values.
// - tags: distinct (source, tag) pairs the source has or was asked for, i.e. every result except
//   one whose target rows are all `extra` (a tag only the targets have). Source errors count: the
//   tag was selected, the audit of it failed. A repository whose tags could not be listed has one
//   row under the tag `*` (REPOSITORY_ROW): it counts as a repository and its failures, no tag.
// - targets: distinct target locations — registry hosts (`ghcr.io/cert-manager/charts/x` →
//   `ghcr.io`), or the layout root for `oci:` targets — so charts mirrored under `…/charts` do not
//   double the count (SPEC's example: 60 tags × 2 targets = 120 rows).
// - verify: inSync / drift / errors count target rows (one per (tag, target)); drift is
//   missing | mismatch | extra | incomplete | missing-referrers | unsigned | source-moved.
// - sync/plan: copied counts copy | copied | forced rows, skipped skip, conflicts conflict, failed
//   failed, refused refused, moved source-moved; bytes sums every row's bytes (uploaded, or to upload for a plan).
import { isSyncReport, type AnyReport, type SyncReport, type SyncResult, type SyncSummary, type VerifyResult, type VerifyStatus, type VerifySummary } from './model.js';

/** The tag of the one row a repository gets when its tags could not be listed. */
export const REPOSITORY_ROW = '*';

const driftStatuses: ReadonlySet<VerifyStatus> = new Set(['missing', 'mismatch', 'extra', 'incomplete', 'missing-referrers', 'unsigned', 'source-moved']);

/** True for the statuses that count as drift (not in-sync, not error). */
export function isDrift(status: VerifyStatus): boolean {
  return driftStatuses.has(status);
}

/** `ghcr.io/cert-manager/cmctl` → `ghcr.io`; `oci:/srv/mirror/cmctl` → `oci:/srv/mirror`: what "a target" means in summaries. */
export function targetNamespace(repository: string): string {
  if (repository.startsWith('oci:')) {
    const slash = repository.lastIndexOf('/');
    return slash < 0 ? repository : repository.slice(0, slash);
  }
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

interface AnyResult {
  source: string;
  tag: string;
  targets: { repository: string }[];
}

function countShape<R extends AnyResult>(results: R[], isExtraOnly: (r: R) => boolean) {
  const sources = new Set<string>();
  const tags = new Set<string>();
  const namespaces = new Set<string>();
  for (const r of results) {
    sources.add(r.source);
    if (r.tag !== REPOSITORY_ROW && !isExtraOnly(r)) tags.add(`${r.source}\u0000${r.tag}`);
    for (const t of r.targets) namespaces.add(targetNamespace(t.repository));
  }
  return { repositories: sources.size, tags: tags.size, targets: namespaces.size };
}

/** The verify summary of these results (rules at the top of this file). */
export function summarizeVerify(results: VerifyResult[]): VerifySummary {
  const shape = countShape(results, (r) => r.targets.length > 0 && r.targets.every((t) => t.status === 'extra'));
  let inSync = 0;
  let drift = 0;
  let errors = 0;
  for (const r of results) {
    for (const t of r.targets) {
      if (t.status === 'in-sync') inSync++;
      else if (t.status === 'error') errors++;
      else if (isDrift(t.status)) drift++;
    }
  }
  return { ...shape, inSync, drift, errors };
}

/**
 * The sync/plan summary of these results (rules at the top of this file). `kind` does not change
 * the counts today (a plan's `copy` and a sync's `copied` both count as copied); it is taken so
 * callers state which report they build.
 */
export function summarizeSync(results: SyncResult[], kind: SyncReport['kind']): SyncSummary {
  void kind;
  const shape = countShape(results, () => false);
  const s = { copied: 0, skipped: 0, conflicts: 0, failed: 0, bytes: 0 };
  let refused = 0;
  let moved = 0;
  for (const r of results) {
    for (const t of r.targets) {
      if (t.action === 'copy' || t.action === 'copied' || t.action === 'forced') s.copied++;
      else if (t.action === 'skip') s.skipped++;
      else if (t.action === 'conflict') s.conflicts++;
      else if (t.action === 'failed') s.failed++;
      else if (t.action === 'refused') refused++;
      else if (t.action === 'source-moved') moved++;
      s.bytes += t.bytes;
    }
  }
  // Only present when non-zero, so reports of runs without signatures or a lock keep their shape.
  return { ...shape, ...s, ...(refused > 0 ? { refused } : {}), ...(moved > 0 ? { moved } : {}) };
}

/**
 * A saved report with the summary its rows give, and the counts where the summary it carried says
 * otherwise (`drift 0 written, 2 in the rows`): a hand-edited or hand-merged file renders the
 * totals of what it lists, and the caller says that it differed.
 */
export function withRowSummary(report: AnyReport): { report: AnyReport; differences: string[] } {
  const summary = isSyncReport(report) ? summarizeSync(report.results, report.kind) : summarizeVerify(report.results);
  const written = report.summary as unknown as Record<string, number | undefined>;
  const differences = Object.entries(summary as unknown as Record<string, number>)
    .filter(([key, n]) => (written[key] ?? 0) !== n)
    .map(([key, n]) => `${key} ${written[key] ?? 0} written, ${n} in the rows`);
  return { report: { ...report, summary } as AnyReport, differences };
}

/** `2026-01-01T00:00:00Z`: SPEC's generatedAt form (UTC, whole seconds). */
export function reportTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A sync, plan or publish report of these rows, stamped now: what a run, its --report journal and publish write. */
export function syncReport(kind: SyncReport['kind'], results: SyncResult[]): SyncReport {
  return { version: 1, kind, generatedAt: reportTimestamp(), summary: summarizeSync(results, kind), results };
}
