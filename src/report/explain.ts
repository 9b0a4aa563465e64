// `plan --explain` / `validate --explain` output: every source tag, selected or dropped, and the
// rule that decided it, as a table for a reviewer or as JSON for a script.
import type { TagDecision } from '../config/explain.js';
import { clean, shortTag } from './table.js';

/** One tag decision of one source repository. */
export interface TagExplanation extends TagDecision {
  source: string;
}

/** Grouped by source: TAG (a long one cut as the report's table cuts it), SELECTED/DROPPED, RULE, DETAIL, aligned. */
export function renderExplainTable(rows: TagExplanation[], notes: Map<string, string> = new Map()): string {
  const sources = [...new Set([...rows.map((r) => r.source), ...notes.keys()])];
  const out: string[] = [];
  for (const source of sources) {
    const mine = rows.filter((r) => r.source === source);
    const kept = mine.filter((r) => r.selected).length;
    out.push(`${clean(source)}: ${kept} selected, ${mine.length - kept} dropped`);
    // One line for the signature tags: a reviewer reads the releases (JSON keeps every row).
    const referrers = mine.filter((r) => r.rule === 'referrer').length;
    const cells = mine.filter((r) => r.rule !== 'referrer').map((r) => [clean(shortTag(r.tag)), r.selected ? 'selected' : 'dropped', r.rule, clean(r.detail)]);
    const width = [0, 1, 2].map((i) => Math.max(0, ...cells.map((c) => c[i]!.length)));
    for (const c of cells) out.push(`  ${c.slice(0, 3).map((cell, i) => cell.padEnd(width[i]!)).join('  ')}  ${c[3]}`.trimEnd());
    if (referrers > 0) out.push(`  and ${referrers} referrer tag(s) (sha256-….sig/.att/.sbom), dropped as tags: each travels with the image it belongs to`);
    const note = notes.get(source);
    if (note) out.push(`  ${note}`);
  }
  return `${out.join('\n')}\n`;
}

/** The explanation as JSON rows: { source, tag, selected, rule, detail }, keys in that order. */
export function explainJson(rows: TagExplanation[]): object[] {
  return rows.map((r) => ({ source: r.source, tag: r.tag, selected: r.selected, rule: r.rule, detail: r.detail }));
}
