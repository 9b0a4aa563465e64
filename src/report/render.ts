// One entry point for every output format, so commands never pick a renderer themselves.
import { UsageError } from '../types/errors.js';
import type { AnyReport } from './model.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderTable, type TableOptions } from './table.js';

/** SPEC's `--format` values. */
export type Format = 'table' | 'json' | 'markdown' | 'junit' | 'html';

/** Every format, in SPEC order (for CLI choices and help). */
export const formats: readonly Format[] = ['table', 'json', 'markdown', 'junit', 'html'];

/** Checks a `--format` value; UsageError for anything else. */
export function parseFormat(value: string): Format {
  if ((formats as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`--format: unknown format "${value}" (use ${formats.join(', ')})`);
}

/** The report as text in `format`, newline-terminated. Options only affect `table`. */
export function renderReport(report: AnyReport, format: Format, opts: TableOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report, opts);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
  }
}
