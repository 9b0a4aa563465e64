// A reason many rows of one target share (a target down, its listing refused, its credentials
// turned away): every row carried it whole, so a registry down under 325 tags printed the same
// 200-character line 325 times in the table, the step summary and the HTML page, and the rows that
// differ drowned. The human reports say such a reason once per target and point to it from the
// rows; JSON and JUnit keep each row's detail as it is (SPEC: `detail` says why, per row).
import type { ReportRow } from './rows.js';

/** Rows of one target with the same detail, from this many on, share one note. */
export const SHARED_FROM = 3;

/** What a row whose detail its target's note says shows in its place. */
export const SAID_ONCE = 'as said above for this target';

/** One target's shared reason, and on how many rows. */
export interface TargetNote {
  target: string;
  detail: string;
  rows: number;
}

/** The notes of `rows` (targets in first-seen order), and each row's detail as shown beside them. */
export interface SharedDetails {
  notes: TargetNote[];
  detailOf(row: ReportRow): string;
}

const keyOf = (row: ReportRow): string => `${row.target}\n${row.detail}`;

/**
 * Finds the details that SHARED_FROM error rows (verify `error`, sync `failed`) or more of one
 * target share. Drift keeps its own: its details are short and said per tag (`tag absent at the
 * target`), where pointing elsewhere would say less in more words.
 */
export function shareDetails(rows: ReportRow[]): SharedDetails {
  const counts = new Map<string, TargetNote>();
  for (const row of rows) {
    if (!row.detail || row.tone !== 'error') continue;
    const note = counts.get(keyOf(row));
    if (note) note.rows++;
    else counts.set(keyOf(row), { target: row.target, detail: row.detail, rows: 1 });
  }
  const notes = [...counts.values()].filter((n) => n.rows >= SHARED_FROM);
  const shared = new Set(notes.map((n) => `${n.target}\n${n.detail}`));
  return { notes, detailOf: (row) => (shared.has(keyOf(row)) ? SAID_ONCE : row.detail) };
}

/** "HOST/REPO, 40 tags: DETAIL": a note as one line of text (a row is one tag at one target). */
export function noteLine(note: TargetNote): string {
  return `${note.target}, ${note.rows} tags: ${note.detail}`;
}
