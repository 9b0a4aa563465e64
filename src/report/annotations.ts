// Which rows of a report deserve a GitHub annotation, in words: one error per drift, conflict or
// failure, titled `repository:tag`, naming the target, the status and both digests. GitHub shows
// 10 error annotations per step and drops the rest without a word (actions/toolkit's
// problem-matchers.md), so past 10 a warning (shown apart from the errors) comes first and says
// how many there are and where to read them all. Pure.
import { isSyncReport, type AnyReport } from './model.js';

/** One annotation before workflow-command escaping. */
export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
}

// Sync actions that leave the target as it should be; any other (conflict, failed, and what later
// versions add) is worth an error annotation.
const SETTLED_ACTIONS = new Set(['copy', 'copied', 'skip', 'forced']);

/** Error annotations GitHub shows per step. */
export const ERRORS_SHOWN_PER_STEP = 10;

/** The annotations of a sync, plan, publish or verify report: one per row in report order, after a count past 10. */
export function reportAnnotations(report: AnyReport): Annotation[] {
  const rows = rowAnnotations(report);
  if (rows.length <= ERRORS_SHOWN_PER_STEP) return rows;
  const count = { level: 'warning' as const, title: 'regmirror', message: `${rows.length} rows need attention and GitHub shows the first ${ERRORS_SHOWN_PER_STEP} as annotations: see the step summary, and the JSON report for every row` };
  return [count, ...rows];
}

function rowAnnotations(report: AnyReport): Annotation[] {
  const out: Annotation[] = [];
  for (const r of report.results) {
    for (const t of r.targets) {
      const state = 'action' in t ? t.action : t.status;
      const bad = 'action' in t ? !SETTLED_ACTIONS.has(t.action) : t.status !== 'in-sync';
      if (!bad) continue;
      // A row sync held back (source-moved, refused) was never written, nor read: its target is as it was, not empty.
      const held = 'action' in t && (t.action === 'source-moved' || t.action === 'refused');
      const digests = `source ${r.sourceDigest ?? 'none'}, target ${t.digest ?? ('previousDigest' in t ? t.previousDigest : undefined) ?? (held ? 'unchanged' : 'none')}`;
      out.push({ level: 'error', title: `${r.source}:${r.tag}`, message: `${t.repository}: ${state} (${digests})${t.detail ? ` — ${t.detail}` : ''}` });
    }
  }
  return out;
}

/**
 * The figures later steps read from `$GITHUB_OUTPUT`: drift left and failures. A sync's rows held
 * back (source-moved, refused) are drift, as verify's `source-moved` and `unsigned` are: sync exits
 * 1 for them, and drift + failed is 0 only when it exits 0.
 */
export function reportOutputs(report: AnyReport): { drift: number; failed: number } {
  if (isSyncReport(report)) {
    const s = report.summary;
    return { drift: s.conflicts + (s.moved ?? 0) + (s.refused ?? 0), failed: s.failed };
  }
  return { drift: report.summary.drift, failed: report.summary.errors };
}
