// The $GITHUB_STEP_SUMMARY view: heading, summary table, drift table, every row folded away.
import { isSyncReport, type AnyReport } from './model.js';
import { escapeMarkdownCell as md } from './escape.js';
import { nextStep, reportKind, summaryLine } from './headline.js';
import { formatBytes, needsAttention, reportRows, shortDigest, type ReportRow, type Tone } from './rows.js';

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

function rowTable(rows: ReportRow[], kind: string): string[] {
  const head = ['source', 'tag', 'target', kind === 'verify' ? 'status' : 'action', 'source digest', kind === 'verify' ? 'target digest' : 'before', 'detail'];
  const body = rows.map((r) => [
    md(r.source),
    md(r.tag),
    md(r.target),
    `${toneMark[r.tone]} ${md(r.state)}`,
    md(shortDigest(r.sourceDigest)),
    md(shortDigest(kind === 'verify' ? r.digest : r.previousDigest)),
    md(r.detail),
  ]);
  return table(head, body);
}

/** Renders the report as GitHub-flavoured Markdown. */
export function renderMarkdown(report: AnyReport): string {
  const kind = reportKind(report);
  const rows = reportRows(report);
  const attention = rows.filter(needsAttention);
  const out = [`## regmirror ${kind}`, '', `${md(summaryLine(report))} (generated ${md(report.generatedAt)})`, '', ...summaryTable(report), ''];
  const title = kind === 'verify' ? 'Drift and errors' : 'Changes, conflicts and failures';
  if (attention.length > 0) {
    out.push(`### ${title} (${attention.length})`, '', ...rowTable(attention, kind), '');
    const next = nextStep(report, attention);
    // Our own wording (no report data): its backticks are meant as code spans.
    if (next) out.push(next, '');
  } else {
    out.push(kind === 'verify' ? 'No drift: every target matches its source.' : 'Nothing to do: every target already matches.', '');
  }
  out.push(`<details><summary>All ${rows.length} rows</summary>`, '', ...rowTable(rows, kind), '', '</details>');
  return out.join('\n') + '\n';
}
