// The terminal view: summary first, then only what needs a person's attention, grouped by source.
import type { AnyReport } from './model.js';
import { interruptedNote, nextStep, reportKind, summaryLine } from './headline.js';
import { formatBytes, groupBySource, needsAttention, reportRows, shortDigest, type ReportRow, type Tone } from './rows.js';
import { noteLine, shareDetails } from './shared-detail.js';

/** Options for the terminal table. */
export interface TableOptions {
  /** ANSI colors (only when writing to a TTY that wants them). */
  color?: boolean;
  /** Terminal columns; the detail column is cut to fit. Unlimited when absent. */
  width?: number;
  /** Also list rows that need nothing (in-sync / skip), like `--verbose`. */
  all?: boolean;
}

const toneColor: Record<Tone, string> = { ok: '32', change: '36', drift: '33', error: '31' };
const MIN_DETAIL = 12;
// A tag may be 128 characters, and the column is as wide as its longest tag in every section.
const MAX_TAG = 40;

// A report read from a file, or a tag name from a registry, could carry escape sequences: never
// let them reach the terminal.
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function paint(text: string, code: string, color: boolean): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** A long tag cut in its middle: its start (the version) and its end (what sets it apart) stay. JSON and the other formats keep it whole. */
export function shortTag(tag: string): string {
  if (tag.length <= MAX_TAG) return tag;
  const head = Math.ceil((MAX_TAG - 1) / 2);
  return `${tag.slice(0, head)}…${tag.slice(tag.length - (MAX_TAG - 1 - head))}`;
}

function cells(row: ReportRow, kind: string, detail = row.detail): string[] {
  if (kind === 'verify') {
    return [shortTag(row.tag), row.target, row.state, shortDigest(row.sourceDigest), shortDigest(row.digest), detail].map(clean);
  }
  const size = row.bytes > 0 ? formatBytes(row.bytes) : '-';
  return [shortTag(row.tag), row.target, row.state, shortDigest(row.sourceDigest), shortDigest(row.previousDigest), size, detail].map(clean);
}

function headers(kind: string): string[] {
  return kind === 'verify'
    ? ['TAG', 'TARGET', 'STATUS', 'SOURCE', 'TARGET DIGEST', 'DETAIL']
    : ['TAG', 'TARGET', 'ACTION', 'SOURCE', 'BEFORE', 'BYTES', 'DETAIL'];
}

function fit(text: string, room: number | undefined): string {
  if (room === undefined || text.length <= room) return text;
  return `${text.slice(0, Math.max(0, room - 1))}…`;
}

/** Renders the report as aligned, grouped text for a terminal. */
export function renderTable(report: AnyReport, opts: TableOptions = {}): string {
  const color = opts.color === true;
  const kind = reportKind(report);
  const all = reportRows(report);
  const rows = opts.all ? all : all.filter(needsAttention);
  const out = [paint(summaryLine(report), '1', color)];
  const interrupted = interruptedNote(report);
  if (interrupted) out.push(paint(interrupted, '33', color));
  if (rows.length > 0) {
    const head = headers(kind);
    // A reason a target's rows share is said once, under its source, whole (never cut to the width).
    const groups = [...groupBySource(rows)].map(([source, group]) => {
      const shared = shareDetails(group);
      return { source, notes: shared.notes, rows: group.map((r) => ({ tone: r.tone, cells: cells(r, kind, shared.detailOf(r)) })) };
    });
    const body = groups.flatMap((g) => g.rows.map((r) => r.cells));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]?.length ?? 0)));
    const last = head.length - 1;
    const lead = widths.slice(0, last).reduce((a, w) => a + w + 2, 2);
    const room = opts.width === undefined ? undefined : Math.max(MIN_DETAIL, opts.width - lead);
    const line = (c: string[], tone?: Tone): string =>
      ('  ' +
        c
          .map((text, i) => {
            if (i === last) return fit(text, room);
            const padded = text.padEnd(widths[i] ?? 0);
            return i === 2 && tone ? paint(padded, toneColor[tone], color) : padded;
          })
          .join('  ')).trimEnd();
    for (const group of groups) {
      out.push('', paint(clean(group.source), '1', color));
      for (const note of group.notes) out.push(`  ${clean(noteLine(note))}`);
      out.push(paint(line(head), '2', color));
      for (const row of group.rows) out.push(line(row.cells, row.tone));
    }
  }
  const next = nextStep(report, all.filter(needsAttention));
  if (next) out.push('', next);
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}
