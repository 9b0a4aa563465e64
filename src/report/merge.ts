// Combines the reports of `--shard k/n` runs into the report one unsharded run would have written.
import { UsageError } from '../types/errors.js';
import { isSyncReport, type AnyReport, type SyncReport, type SyncResult, type VerifyResult } from './model.js';
import { compareResults, compareTags } from './order.js';
import { reportTimestamp, summarizeSync, summarizeVerify } from './summary.js';

export { parseReport } from './parse.js';

function reportKindOf(r: AnyReport): SyncReport['kind'] | 'verify' {
  return isSyncReport(r) ? r.kind : 'verify';
}

/**
 * The order of sources the reports agree on. sync and verify list results in mirrors.yaml order
 * (inventory/order.ts), so each shard's report holds a part of that order: laid together they give
 * it back, and the merged report lists images as one unsharded run's does (by name, the controller
 * of a webhook-first mirrors.yaml came first). Sources no report orders go by name; reports that
 * disagree (other mirrors.yaml orders) give undefined, and the merge sorts by name.
 */
function sourceOrder(reports: AnyReport[]): Map<string, number> | undefined {
  // A graph of "listed right before" over the sources, walked in topological order.
  const next = new Map<string, Set<string>>();
  const waits = new Map<string, number>();
  for (const r of reports) {
    const sources = [...new Set(r.results.map((x) => x.source))];
    for (const s of sources) {
      if (next.has(s)) continue;
      next.set(s, new Set());
      waits.set(s, 0);
    }
    for (let i = 1; i < sources.length; i++) {
      const [a, b] = [sources[i - 1]!, sources[i]!];
      if (next.get(a)!.has(b)) continue;
      next.get(a)!.add(b);
      waits.set(b, waits.get(b)! + 1);
    }
  }
  const order = new Map<string, number>();
  const ready = [...waits].filter(([, n]) => n === 0).map(([s]) => s);
  while (ready.length > 0) {
    ready.sort((a, b) => compareResults({ source: a, tag: '' }, { source: b, tag: '' }));
    const s = ready.shift()!;
    order.set(s, order.size);
    for (const t of next.get(s)!) {
      waits.set(t, waits.get(t)! - 1);
      if (waits.get(t) === 0) ready.push(t);
    }
  }
  return order.size === next.size ? order : undefined;
}

// Later reports win for the same (source, tag): a rerun shard supersedes the first attempt.
function dedupeAndSort<R extends { source: string; tag: string }>(results: R[], order: Map<string, number> | undefined): R[] {
  const latest = new Map<string, R>();
  for (const r of results) {
    const key = `${r.source}\u0000${r.tag}`;
    latest.delete(key);
    latest.set(key, r);
  }
  const byOrder = (a: R, b: R) => order!.get(a.source)! - order!.get(b.source)! || compareTags(a.tag, b.tag);
  return [...latest.values()].sort(order ? byOrder : compareResults);
}

/**
 * The shards (`K/N`) that none of these reports is, when they are all shards of N: their tags are
 * in none of the reports, and a merge of the rest would read as the whole run. A report of the
 * whole run (no shard) covers every tag; shards of different N are not checked.
 */
export function missingShards(reports: AnyReport[]): string[] {
  const shards = reports.map((r) => r.shard);
  if (shards.includes(undefined)) return [];
  const counts = new Set(shards.map((s) => s!.split('/')[1]));
  if (counts.size !== 1) return [];
  const [n] = [...counts];
  return Array.from({ length: Number(n) }, (_, i) => `${i + 1}/${n}`).filter((s) => !shards.includes(s));
}

/**
 * The interrupted reports whose tags may be missing from the merge: those that no complete report
 * among the files covers, one of the same shard (its rerun) or of the whole run. A shard killed and
 * run again leaves both reports, and merged with its rerun every tag of the shard is there (the
 * merge of a killed shard and its complete rerun was marked partial, its warning saying to rerun).
 */
export function uncoveredInterruptions(reports: AnyReport[]): AnyReport[] {
  const complete = reports.filter((r) => !r.interrupted);
  return reports.filter((r) => r.interrupted && !complete.some((c) => c.shard === undefined || c.shard === r.shard));
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
  // A shard stopped by a signal holds only the rows it finished: the union is partial too, unless that shard's rerun is in it.
  const interrupted = uncoveredInterruptions(reports).length > 0 ? { interrupted: true as const } : {};
  const order = sourceOrder(reports);
  if (kind === 'verify') {
    const results = dedupeAndSort(reports.flatMap((r) => r.results as VerifyResult[]), order);
    return { version: 1, generatedAt, ...interrupted, summary: summarizeVerify(results), results };
  }
  // A publish report stays one: its rows are rerun with publish, not sync.
  const results = dedupeAndSort(reports.flatMap((r) => r.results as SyncResult[]), order);
  return { version: 1, kind, generatedAt, ...interrupted, summary: summarizeSync(results, kind), results };
}
