// Combines the reports of `--shard k/n` runs into the report one unsharded run would have written.
import { UsageError } from '../types/errors.js';
import { isSyncReport, type AnyReport, type SyncReport, type SyncResult, type VerifyResult } from './model.js';
import { compareResults } from './order.js';
import { reportTimestamp, summarizeSync, summarizeVerify } from './summary.js';

export { parseReport } from './parse.js';

function reportKindOf(r: AnyReport): SyncReport['kind'] | 'verify' {
  return isSyncReport(r) ? r.kind : 'verify';
}

// Later reports win for the same (source, tag): a rerun shard supersedes the first attempt.
function dedupeAndSort<R extends { source: string; tag: string }>(results: R[]): R[] {
  const latest = new Map<string, R>();
  for (const r of results) {
    const key = `${r.source}\u0000${r.tag}`;
    latest.delete(key);
    latest.set(key, r);
  }
  return [...latest.values()].sort(compareResults);
}

/** One report of every result, sorted and de-duplicated, summary recomputed, stamped `now`. */
export function mergeReports(reports: AnyReport[], now: Date = new Date()): AnyReport {
  const first = reports[0];
  if (!first) throw new UsageError('report merge: no reports given');
  const kind = reportKindOf(first);
  for (const r of reports) {
    if (reportKindOf(r) !== kind) throw new UsageError(`report merge: cannot merge a ${reportKindOf(r)} report with a ${kind} report`);
  }
  const generatedAt = reportTimestamp(now);
  if (kind === 'verify') {
    const results = dedupeAndSort(reports.flatMap((r) => r.results as VerifyResult[]));
    return { version: 1, generatedAt, summary: summarizeVerify(results), results };
  }
  // A publish report stays one: its rows are rerun with publish, not sync.
  const results = dedupeAndSort(reports.flatMap((r) => r.results as SyncResult[]));
  return { version: 1, kind, generatedAt, summary: summarizeSync(results, kind), results };
}
