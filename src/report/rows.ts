// One flat row per (source, tag, target): every renderer walks these instead of two report shapes.
import { isSyncReport, type AnyReport } from './model.js';
export { formatBytes } from '../types/size.js';

/** How a row reads at a glance; renderers map it to a color or CSS class. */
export type Tone = 'ok' | 'change' | 'drift' | 'error';

/** A (source, tag, target) fact, whichever report it came from. */
export interface ReportRow {
  source: string;
  tag: string;
  sourceDigest: string | null;
  target: string;
  /** Verify status or sync action, verbatim. */
  state: string;
  /** Digest at the target (after the run, for sync). */
  digest: string | null;
  /** Sync only: digest at the target before the run. */
  previousDigest: string | null;
  bytes: number;
  detail: string;
  tone: Tone;
  /** Verify only: a binaries entry's row (`regmirror publish` pushes what it lacks). */
  binaries?: true;
}

const syncTones: Record<string, Tone> = {
  skip: 'ok',
  copy: 'change',
  copied: 'change',
  forced: 'change',
  conflict: 'drift',
  failed: 'error',
  refused: 'drift',
  'source-moved': 'drift',
};

function verifyTone(status: string): Tone {
  if (status === 'in-sync') return 'ok';
  return status === 'error' ? 'error' : 'drift';
}

/** Flattens a report into rows, in report order. */
export function reportRows(report: AnyReport): ReportRow[] {
  const rows: ReportRow[] = [];
  if (isSyncReport(report)) {
    for (const r of report.results) {
      for (const t of r.targets) {
        rows.push({
          source: r.source,
          tag: r.tag,
          sourceDigest: r.sourceDigest,
          target: t.repository,
          state: t.action,
          digest: t.digest,
          previousDigest: t.previousDigest,
          bytes: t.bytes,
          detail: t.detail,
          tone: syncTones[t.action] ?? 'error',
        });
      }
    }
    return rows;
  }
  for (const r of report.results) {
    for (const t of r.targets) {
      rows.push({
        source: r.source,
        tag: r.tag,
        sourceDigest: r.sourceDigest,
        target: t.repository,
        state: t.status,
        digest: t.digest,
        previousDigest: null,
        bytes: 0,
        detail: t.detail,
        tone: verifyTone(t.status),
        ...(r.binaries ? { binaries: true as const } : {}),
      });
    }
  }
  return rows;
}

/** A row a person must look at: drift and errors for verify, anything but skip for sync/plan. */
export function needsAttention(row: ReportRow): boolean {
  return row.tone !== 'ok';
}

/** Rows grouped by source repository, groups in first-seen order. */
export function groupBySource(rows: ReportRow[]): Map<string, ReportRow[]> {
  const groups = new Map<string, ReportRow[]>();
  for (const row of rows) {
    const group = groups.get(row.source);
    if (group) group.push(row);
    else groups.set(row.source, [row]);
  }
  return groups;
}

/** `sha256:abcd1234…` — enough to tell digests apart by eye; "-" for none. */
export function shortDigest(digest: string | null): string {
  if (!digest) return '-';
  const colon = digest.indexOf(':');
  const hex = colon < 0 ? digest : digest.slice(colon + 1);
  if (hex.length <= 12) return digest;
  return `${digest.slice(0, colon + 1)}${hex.slice(0, 8)}…`;
}

