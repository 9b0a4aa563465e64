// Which rows of a report deserve a GitHub annotation, in words: one error per drift, conflict or
// failure, titled `repository:tag`, naming the target, the status and both digests. Pure.
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

/** The annotations of a sync, plan, publish or verify report, in report order. */
export function reportAnnotations(report: AnyReport): Annotation[] {
  const out: Annotation[] = [];
  for (const r of report.results) {
    for (const t of r.targets) {
      const state = 'action' in t ? t.action : t.status;
      const bad = 'action' in t ? !SETTLED_ACTIONS.has(t.action) : t.status !== 'in-sync';
      if (!bad) continue;
      const digests = `source ${r.sourceDigest ?? 'none'}, target ${t.digest ?? ('previousDigest' in t ? t.previousDigest ?? 'none' : 'none')}`;
      out.push({ level: 'error', title: `${r.source}:${r.tag}`, message: `${t.repository}: ${state} (${digests})${t.detail ? ` — ${t.detail}` : ''}` });
    }
  }
  return out;
}

/** The figures later steps read from `$GITHUB_OUTPUT`: drift left and failures. */
export function reportOutputs(report: AnyReport): { drift: number; failed: number } {
  if (isSyncReport(report)) return { drift: report.summary.conflicts, failed: report.summary.failed };
  return { drift: report.summary.drift, failed: report.summary.errors };
}
