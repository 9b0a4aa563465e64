// What `sync`, `verify` and `publish` tell GitHub when they run as an Actions step
// (GITHUB_ACTIONS=true), with no flag needed: annotations, the step summary and step outputs.
import { randomBytes } from 'node:crypto';
import { appendFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { reportAnnotations, reportOutputs } from '../report/annotations.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import type { AnyReport } from '../report/model.js';
import { redact } from '../ui/redact.js';
import { groupEnd, groupStart, inGitHubActions, outputEntry, workflowCommand } from '../ui/workflow-commands.js';

type Env = Record<string, string | undefined>;

// GitHub refuses a step summary over 1 MiB ("upload aborted, supports content up to a size of
// 1024k") and then shows none of it; the margin covers redaction and the closing newline.
const SUMMARY_LIMIT = 1024 * 1024;
const SUMMARY_MARGIN = 4096;

/** Opens a log group around a command's per-copy lines; returns the function that closes it. */
export function perCopyGroup(title: string, quiet: boolean, env: Env = process.env): () => void {
  if (!inGitHubActions(env) || quiet) return () => {};
  process.stderr.write(groupStart(title));
  let open = true;
  return () => {
    if (open) process.stderr.write(groupEnd());
    open = false;
  };
}

/**
 * Annotations on stderr (stdout stays the report), the markdown report appended to
 * $GITHUB_STEP_SUMMARY (within GitHub's 1 MiB), and drift / failed / report appended to
 * $GITHUB_OUTPUT. `reportFile` is the JSON report the run already wrote; without one it is
 * written under $RUNNER_TEMP.
 */
export async function reportToGitHub(report: AnyReport, command: string, reportFile: string | undefined, env: Env = process.env): Promise<void> {
  if (!inGitHubActions(env)) return;
  for (const a of reportAnnotations(report)) process.stderr.write(redact(workflowCommand(a.level, { title: a.title }, a.message)));
  let file = reportFile ? resolve(reportFile) : undefined;
  if (!file) {
    const temp = join(env.RUNNER_TEMP || tmpdir(), `regmirror-${command}-${process.pid}-${Date.now()}.json`);
    if (await written('the JSON report', 'RUNNER_TEMP', temp, () => writeFile(temp, redact(renderJson(report))))) file = temp;
  }
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) {
    // The step's summary file may already hold what earlier commands of the step wrote.
    const before = await stat(summary).then((s) => s.size, () => 0);
    const budget = { maxBytes: Math.max(0, SUMMARY_LIMIT - SUMMARY_MARGIN - before), fullReport: file ? `the JSON report ${file} (the step's report output)` : 'the JSON report (`--format json`)' };
    // A cancelled job's summary lists only the rows that finished: the markdown says so first.
    const markdown = renderMarkdown(report, budget);
    await written('the step summary', 'GITHUB_STEP_SUMMARY', summary, () => appendFile(summary, `${redact(markdown)}\n`));
  }
  const outputs = env.GITHUB_OUTPUT;
  if (outputs) {
    const { drift, failed } = reportOutputs(report);
    const delimiter = outputDelimiter();
    const entries = [outputEntry('drift', String(drift), delimiter), outputEntry('failed', String(failed), delimiter), ...(file ? [outputEntry('report', file, delimiter)] : [])];
    await written('the step outputs', 'GITHUB_OUTPUT', outputs, () => appendFile(outputs, entries.join('')));
  }
}

/**
 * A run that stops before its report (a config error, exit 2) writes no drift, failed or report
 * output, and a later step reading them sees '' as if nothing were wrong: it gets the one line it
 * printed as `error`, empty exactly when the command got as far as its report (SPEC "CI").
 */
export async function errorToGitHub(line: string, env: Env = process.env): Promise<void> {
  const outputs = env.GITHUB_OUTPUT;
  if (!inGitHubActions(env) || !outputs) return;
  await written('the step outputs', 'GITHUB_OUTPUT', outputs, () => appendFile(outputs, outputEntry('error', redact(line), outputDelimiter())));
}

/** A delimiter no value can hold (GitHub's own form for multi-line outputs). */
function outputDelimiter(): string {
  return `ghadelimiter_${randomBytes(16).toString('hex')}`;
}

/**
 * Runs one write for the runner; a failure is a warning naming the variable, never the run's
 * result: an exit 1 for an unwritable summary would read as drift (SPEC's exit codes).
 */
async function written(what: string, variable: string, path: string, write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    process.stderr.write(workflowCommand('warning', { title: 'regmirror' }, `could not write ${what} to ${path} (${variable}): ${why}; the run's result stands`));
    return false;
  }
}
