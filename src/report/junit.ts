// JUnit XML for CI test tabs: a suite per source repository, a case per (tag, target).
import type { AnyReport } from './model.js';
import { escapeXml } from './escape.js';
import { reportKind } from './headline.js';
import { groupBySource, reportRows, type ReportRow } from './rows.js';

// Line breaks in a value (a registry's error text) as character references: a reader decodes them
// back, but no raw line of the file can start with text of the registry's. A JUnit file printed to a
// GitHub Actions log (`--format junit` to stdout, `cat report.xml`) cannot start a workflow command.
const x = (text: string): string => escapeXml(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');

// Drift (verify) and conflicts (sync/plan) are failures: the mirror is wrong. Errors and failed
// copies are errors: we could not tell or could not do.
function outcome(row: ReportRow): 'pass' | 'failure' | 'error' {
  if (row.tone === 'error') return 'error';
  return row.tone === 'drift' ? 'failure' : 'pass';
}

function testcase(row: ReportRow): string[] {
  const open = `    <testcase name="${x(`${row.tag} → ${row.target}`)}" classname="${x(row.source)}" time="0"`;
  const result = outcome(row);
  if (result === 'pass') return [`${open}/>`];
  const message = row.detail ? `${row.state}: ${row.detail}` : row.state;
  const body = [
    `source digest: ${row.sourceDigest ?? '-'}`,
    `target digest: ${row.digest ?? '-'}`,
    ...(row.previousDigest ? [`previous digest: ${row.previousDigest}`] : []),
    ...(row.detail ? [`detail: ${row.detail}`] : []),
  ].map(x).join('\n');
  return [`${open}>`, `      <${result} message="${x(message)}" type="${x(row.state)}">${body}</${result}>`, '    </testcase>'];
}

function totals(rows: ReportRow[]): string {
  const failures = rows.filter((r) => outcome(r) === 'failure').length;
  const errors = rows.filter((r) => outcome(r) === 'error').length;
  // time: the report keeps no durations, but readers compute with it (dorny/test-reporter's
  // parseFloat(time) shows "NaNms" without it; the JUnit XSD requires it).
  return `tests="${rows.length}" failures="${failures}" errors="${errors}" skipped="0" time="0"`;
}

/** Renders the report as a JUnit XML document. */
export function renderJunit(report: AnyReport): string {
  const rows = reportRows(report);
  const stamp = x(report.generatedAt);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="regmirror ${reportKind(report)}" ${totals(rows)} timestamp="${stamp}">`,
  ];
  for (const [source, group] of groupBySource(rows)) {
    out.push(`  <testsuite name="${x(source)}" ${totals(group)} timestamp="${stamp}">`);
    for (const row of group) out.push(...testcase(row));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
