// One self-contained HTML page: per source repository, a tag × target matrix colored by status.
// No external URL of any kind (a CSP forbids loading one); readable with scripts disabled.
import type { AnyReport } from './model.js';
import { escapeHtml } from './escape.js';
import { interruptedNote, nextStep, reportKind, summaryLine } from './headline.js';
import { groupBySource, needsAttention, reportRows, shortDigest, type ReportRow } from './rows.js';
import { noteLine, shareDetails } from './shared-detail.js';

// Line breaks as character references (a browser reads them back the same): no raw line of the page
// starts with a registry's text, so a page printed to a CI log (`--format html` to stdout) cannot start
// a workflow command there, as junit.ts already guards.
const h = (text: string): string => escapeHtml(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.05rem;margin:1.6rem 0 .4rem;word-break:break-all}
.summary{font-size:1.05rem;font-weight:600}.muted{color:#656d76}
.partial{padding:.5rem .75rem;border:1px solid #d4a72c;background:#fff8c5;font-weight:600}
.note{padding:.35rem .6rem;margin:.3rem 0;border:1px solid #ff8182;overflow-wrap:anywhere}
.wrap{overflow-x:auto}table{border-collapse:collapse}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f6f8fa;font-weight:600;font-size:.85rem}
tbody th{font-weight:600}
.tag{display:block;max-width:min(16rem,35vw);overflow-wrap:break-word}
code{font:12px ui-monospace,monospace}
.cell .state{display:block;font-weight:600;font-size:.8rem}
.cell .why{display:block;max-width:30rem;margin-top:.15rem;font-size:.75rem;color:#57606a;overflow-wrap:anywhere}
.ok{background:#dafbe1}.change{background:#ddf4ff}.drift{background:#fff8c5}.error{background:#ffebe9}
.st-mismatch,.st-conflict{background:#ffd8b5}.st-unsigned,.st-refused{background:#fbefff}.none{color:#8c959f;text-align:center}
.legend span{display:inline-block;padding:.1rem .5rem;margin-right:.3rem;border:1px solid #d0d7de}
#filters{margin:.8rem 0}#filters input[type=search]{margin-left:1rem}
`;

const SCRIPT = `
(function(){
  var f=document.getElementById('filters'),only=document.getElementById('only'),q=document.getElementById('q');
  f.hidden=false;
  function apply(){
    var text=q.value.trim().toLowerCase();
    document.querySelectorAll('section.repo').forEach(function(s){
      var shown=0;
      s.querySelectorAll('tbody tr').forEach(function(tr){
        var ok=(!only.checked||tr.dataset.attention==='1')&&(!text||tr.dataset.tag.toLowerCase().indexOf(text)>=0);
        tr.hidden=!ok;if(ok)shown++;
      });
      s.hidden=shown===0;
    });
  }
  only.addEventListener('change',apply);q.addEventListener('input',apply);
})();
`;

function cell(row: ReportRow | undefined, kind: string, detailOf: (row: ReportRow) => string): string {
  if (!row) return '<td class="none">—</td>';
  const shown = kind === 'verify' ? row.digest : (row.digest ?? row.previousDigest);
  const title = [
    row.state,
    `source: ${row.sourceDigest ?? '-'}`,
    `target: ${row.digest ?? '-'}`,
    ...(row.previousDigest ? [`before: ${row.previousDigest}`] : []),
    ...(row.detail ? [row.detail] : []),
  ].join('\n');
  const cls = `cell ${row.tone} st-${row.state.replace(/[^a-z-]/g, '')}`;
  // Why a cell needs attention, on the page itself: a tooltip is lost on touch screens, in print and in screenshots.
  // A reason the target's cells share is said once above the matrix; its tooltip keeps it whole.
  const why = row.detail && needsAttention(row) ? `<small class="why">${h(detailOf(row))}</small>` : '';
  return `<td class="${cls}" data-status="${h(row.state)}" title="${h(title)}"><span class="state">${h(row.state)}</span><code>${h(shortDigest(shown))}</code>${why}</td>`;
}

function matrix(source: string, rows: ReportRow[], kind: string): string[] {
  const targets = [...new Set(rows.map((r) => r.target))];
  const byTag = new Map<string, Map<string, ReportRow>>();
  for (const r of rows) {
    const line = byTag.get(r.tag) ?? new Map<string, ReportRow>();
    line.set(r.target, r);
    byTag.set(r.tag, line);
  }
  const shared = shareDetails(rows);
  const out = [
    `<section class="repo"><h2>${h(source)}</h2>`,
    ...shared.notes.map((n) => `<p class="note error">${h(noteLine(n))}</p>`),
    '<div class="wrap"><table>',
    `<thead><tr><th>tag</th><th>source digest</th>${targets.map((t) => `<th>${h(t)}</th>`).join('')}</tr></thead><tbody>`,
  ];
  for (const [tag, line] of byTag) {
    const cells = [...line.values()];
    const attention = cells.some(needsAttention) ? '1' : '0';
    const sourceDigest = cells.find((c) => c.sourceDigest)?.sourceDigest ?? null;
    out.push(
      `<tr data-tag="${h(tag)}" data-attention="${attention}"><th><span class="tag">${h(tag)}</span></th><td title="${h(sourceDigest ?? 'none')}"><code>${h(shortDigest(sourceDigest))}</code></td>` +
        targets.map((t) => cell(line.get(t), kind, shared.detailOf)).join('') +
        '</tr>',
    );
  }
  out.push('</tbody></table></div></section>');
  return out;
}

/** Renders the report as one self-contained HTML page. */
export function renderHtml(report: AnyReport): string {
  const kind = reportKind(report);
  const rows = reportRows(report);
  const next = nextStep(report, rows.filter(needsAttention));
  const interrupted = interruptedNote(report);
  const states = [...new Map(rows.map((r) => [r.state, r])).values()];
  const out = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>regmirror ${kind} — ${h(report.generatedAt)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>regmirror ${kind}</h1>`,
    ...(interrupted ? [`<p class="partial" role="alert">${h(interrupted)}</p>`] : []),
    `<p class="summary">${h(summaryLine(report))}</p>`,
    `<p class="muted">generated ${h(report.generatedAt)}</p>`,
    // Our advice marks commands with backticks; show them as code (escaping leaves backticks alone).
    ...(next ? [`<p>${h(next).replace(/`([^`]*)`/g, '<code>$1</code>')}</p>`] : []),
    `<p class="legend">${states.map((r) => `<span class="${r.tone} st-${h(r.state.replace(/[^a-z-]/g, ''))}">${h(r.state)}</span>`).join('')}</p>`,
    '<div id="filters" hidden><label><input type="checkbox" id="only"> only rows that need attention</label>' +
      '<input type="search" id="q" placeholder="filter tags" aria-label="filter tags"></div>',
  ];
  for (const [source, group] of groupBySource(rows)) out.push(...matrix(source, group, kind));
  out.push(`<script>${SCRIPT}</script>`, '</body></html>');
  return out.join('\n') + '\n';
}
