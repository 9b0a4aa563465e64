// The $GITHUB_STEP_SUMMARY view: heading, summary table, drift table, every row folded away.
import { isSyncReport, type AnyReport } from './model.js';
import { escapeMarkdownCell as md } from './escape.js';
import { interruptedNote, nextStep, reportKind, summaryLine } from './headline.js';
import { formatBytes, needsAttention, reportRows, shortDigest, type ReportRow, type Tone } from './rows.js';
import { noteLine, shareDetails, type SharedDetails } from './shared-detail.js';

const toneMark: Record<Tone, string> = { ok: '✅', change: '🔄', drift: '⚠️', error: '❌' };

function table(head: string[], body: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...body.map((cells) => `| ${cells.join(' | ')} |`),
  ];
}

function summaryTable(report: AnyReport): string[] {
  if (!isSyncReport(report)) {
    const s = report.summary;
    return table(
      ['repositories', 'tags', 'targets', 'in sync', 'drift', 'errors'],
      [[s.repositories, s.tags, s.targets, s.inSync, s.drift, s.errors].map(String)],
    );
  }
  const s = report.summary;
  return table(
    ['repositories', 'tags', 'targets', report.kind === 'plan' ? 'to copy' : 'copied', 'skipped', 'conflicts', 'failed', 'bytes'],
    [[s.repositories, s.tags, s.targets, s.copied, s.skipped, s.conflicts, s.failed].map(String).concat(formatBytes(s.bytes))],
  );
}

function rowTable(rows: ReportRow[], kind: string, shared: SharedDetails): string[] {
  const head = ['source', 'tag', 'target', kind === 'verify' ? 'status' : 'action', 'source digest', kind === 'verify' ? 'target digest' : 'before', 'detail'];
  const body = rows.map((r) => [
    md(r.source),
    md(r.tag),
    md(r.target),
    `${toneMark[r.tone]} ${md(r.state)}`,
    md(shortDigest(r.sourceDigest)),
    md(shortDigest(kind === 'verify' ? r.digest : r.previousDigest)),
    md(shared.detailOf(r)),
  ]);
  return table(head, body);
}

/** A size bound for the rendered text, and where the full report is for what does not fit. */
export interface MarkdownBudget {
  /** Most UTF-8 bytes the text may take. */
  maxBytes: number;
  /** Where the full report is, named in the note that replaces rows left out. */
  fullReport: string;
}

const bytes = (lines: string[]): number => Buffer.byteLength(lines.join('\n') + '\n');

/**
 * Renders the report as GitHub-flavoured Markdown. With a budget (GitHub refuses a step summary
 * over 1 MiB, and then shows none of it), rows are left out to fit: first the folded table of every
 * row, then the tail of the attention table, each replaced by a note naming the full report.
 */
export function renderMarkdown(report: AnyReport, budget?: MarkdownBudget): string {
  const kind = reportKind(report);
  const rows = reportRows(report);
  const attention = rows.filter(needsAttention);
  const interrupted = interruptedNote(report);
  const out = [`## regmirror ${kind}`, '', ...(interrupted ? [`> **${interrupted.replace(/^Interrupted/, 'Interrupted**')}`, ''] : []), `${md(summaryLine(report))} (generated ${md(report.generatedAt)})`, '', ...summaryTable(report), ''];
  const title = kind === 'verify' ? 'Drift and errors' : 'Changes, conflicts and failures';
  const next = attention.length > 0 ? nextStep(report, attention) : '';
  const tail = next ? [next, ''] : [];
  // A reason a target's rows share is said once, above the tables that point to it.
  const shared = shareDetails(rows);
  const notes = shared.notes.length > 0 ? [...shared.notes.map((n) => `- ${toneMark.error} ${md(noteLine(n))}`), ''] : [];
  const all = [`<details><summary>All ${rows.length} rows</summary>`, '', ...rowTable(rows, kind, shared), '', '</details>'];
  const allLeftOut = budget ? [`All ${rows.length} rows: not shown here (GitHub's step summary limit); they are in ${md(budget.fullReport)}.`] : [];
  if (report.results.length === 0) return [...out, nextStep(report, attention)].join('\n') + '\n';
  if (attention.length === 0) {
    out.push(kind === 'verify' ? 'No drift: every target matches its source.' : 'Nothing to do: every target already matches.', '');
    return (!budget || bytes([...out, ...all]) <= budget.maxBytes ? [...out, ...all] : [...out, ...allLeftOut]).join('\n') + '\n';
  }
  const head = [`### ${title} (${attention.length})`, '', ...notes];
  const table = rowTable(attention, kind, shared);
  const full = [...out, ...head, ...table, '', ...tail, ...all];
  if (!budget || bytes(full) <= budget.maxBytes) return full.join('\n') + '\n';
  if (bytes([...out, ...head, ...table, '', ...tail, ...allLeftOut]) <= budget.maxBytes) return [...out, ...head, ...table, '', ...tail, ...allLeftOut].join('\n') + '\n';
  // The attention table's first rows, as many as fit beside a note on the rest.
  const note = (shown: number) => [`… and ${attention.length - shown} more: not shown here (GitHub's step summary limit); every row is in ${md(budget.fullReport)}.`, ''];
  const fixed = bytes([...out, ...head, ...note(0), ...tail, ...allLeftOut]);
  let used = fixed + bytes(table.slice(0, 2));
  let shown = 0;
  while (shown < attention.length) {
    const size = Buffer.byteLength(table[shown + 2]!) + 1;
    if (used + size > budget.maxBytes) break;
    used += size;
    shown++;
  }
  return [...out, ...head, ...table.slice(0, shown + 2), '', ...note(shown), ...tail, ...allLeftOut].join('\n') + '\n';
}
