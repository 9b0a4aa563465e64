// --explain for `plan` (from the tags discovery found) and `validate` (no network: only what the
// config alone decides, i.e. the explicit tags).
import { explainTags } from '../config/explain.js';
import { missingExplicit } from '../config/tags.js';
import type { ImageWork } from '../config/workitems.js';
import type { Inventory } from '../inventory/inventory.js';
import { canonicalReport } from '../report/json.js';
import type { SyncReport } from '../report/model.js';
import { explainJson, renderExplainTable, type TagExplanation } from '../report/explain.js';
import { renderReport, type Format } from '../report/render.js';
import { compareTags } from '../types/tag.js';
import { UsageError } from '../types/errors.js';

/** Every source tag of every listed source, decided by its item's rules; explicit tags the source lacks too. */
export function explainInventories(inventories: Inventory[]): { rows: TagExplanation[]; notes: Map<string, string> } {
  const rows: TagExplanation[] = [];
  const notes = new Map<string, string>();
  for (const inv of inventories) {
    const source = inv.work.sourceDisplay;
    if (!inv.sourceTags) {
      notes.set(source, `cannot list the source's tags: ${inv.sourceError?.message ?? 'unknown error'}`);
      continue;
    }
    const tags = [...inv.sourceTags].sort(compareTags);
    for (const d of explainTags(tags, inv.work.item.tags, inv.work.item.hasTagRules)) rows.push({ source, ...d });
    for (const tag of missingExplicit(tags, inv.work.item.tags)) rows.push({ source, tag, selected: false, rule: 'explicit', detail: 'listed in explicit, but the source has no such tag' });
  }
  return { rows, notes };
}

/** validate --explain: the explicit tags of each item; the rest needs the source's tag list. */
export function explainConfig(work: ImageWork[]): { rows: TagExplanation[]; notes: Map<string, string> } {
  const rows: TagExplanation[] = [];
  const notes = new Map<string, string>();
  for (const w of work) {
    const rules = w.item.tags;
    for (const tag of rules.explicit) rows.push({ source: w.sourceDisplay, tag, selected: true, rule: 'explicit', detail: 'listed in explicit (selected when the source has it)' });
    // Only explicit tags are known without the network; any other rule (or none) decides over the source's tags.
    notes.set(w.sourceDisplay, `other source tags: ${w.item.hasTagRules ? 'decided by the tag rules' : 'every tag (no tag rules)'} over the source's tag list; run \`regmirror plan --explain\` to see each`);
  }
  return { rows, notes };
}

/** The plan in `format` with its explanation: after the table, or as an `explain` key in JSON. */
export function renderExplained(report: SyncReport, format: Format, found: { rows: TagExplanation[]; notes: Map<string, string> }, color: boolean): string {
  const explained = { ...found, rows: withOrphans(found.rows, report) };
  if (format === 'json') return `${JSON.stringify({ ...canonicalReport(report), explain: explainJson(explained.rows) }, null, 2)}\n`;
  if (format !== 'table') throw new UsageError(`--explain: use --format table or json (not ${format})`);
  return `${renderReport(report, 'table', { color })}\nwhy each tag:\n${renderExplainTable(explained.rows, explained.notes)}`;
}

// A referrer tag the plan copies although the rules dropped it: its subject is not at the source,
// so it travels alone (inventory/orphans.ts), found only once the run's other tags were planned.
function withOrphans(rows: TagExplanation[], report: SyncReport): TagExplanation[] {
  const planned = new Set(report.results.map((r) => `${r.source}\n${r.tag}`));
  return rows.map((r) => (r.rule === 'referrer' && planned.has(`${r.source}\n${r.tag}`) ? { ...r, selected: true, rule: 'orphan-referrer', detail: 'its subject is not at the source: travels as a tag of its own' } : r));
}
