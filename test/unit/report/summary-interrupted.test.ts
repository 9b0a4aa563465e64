// A release job cancelled mid-sync (GitHub sends SIGTERM to the step's process group): sync stops
// cleanly and exits 130, saying on stderr that it was interrupted, but the step summary it wrote
// was an ordinary report of the rows that finished ("1 repository · 1 tag · 1 target — 1 copied,
// 0 failed"), which reads as a release mirrored in full. The summary now says first that the run
// was interrupted, that the report is partial, and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportToGitHub } from '../../../src/cli/github.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderTable } from '../../../src/report/table.js';
import { D, verifyReport } from './fixture.js';

async function summaryOf(interrupted: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'regmirror-summary-'));
  try {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), RUNNER_TEMP: dir };
    const report = verifyReport([{ source: 'quay.io/jetstack/a', tag: 'v1.0.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cm/a', status: 'in-sync', digest: D('a'), detail: '' }] }]);
    await reportToGitHub(interrupted ? { ...report, interrupted: true } : report, 'verify', undefined, env);
    return await readFile(env.GITHUB_STEP_SUMMARY, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an interrupted run says so at the top of its step summary, under the heading', async () => {
  const md = await summaryOf(true);
  const lines = md.split('\n');
  assert.equal(lines[0], '## regmirror verify');
  assert.match(md.split('\n\n')[1]!, /^> \*\*Interrupted\*\* \(SIGINT\/SIGTERM\), or never ended \(killed, or still running\): this report is partial, only the rows that finished; run the same command again to finish$/);
});

test('a run that was not interrupted has no such note', async () => {
  assert.doesNotMatch(await summaryOf(false), /Interrupted/);
});

// `report render` of an interrupted report (a cancelled shard's, before it is merged) showed it as
// a whole run in the terminal and in markdown: only JSON kept the mark (backfill hunt).
test('report render says an interrupted report is partial, in the terminal and in markdown', () => {
  const report = { ...verifyReport([{ source: 'quay.io/jetstack/a', tag: 'v1.0.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cm/a', status: 'in-sync', digest: D('a'), detail: '' }] }]), interrupted: true as const };
  assert.match(renderTable(report).split('\n')[1]!, /^Interrupted \(SIGINT\/SIGTERM\), or never ended \(killed, or still running\): this report is partial, only the rows that finished/);
  assert.match(renderMarkdown(report), /^## regmirror verify\n\n> \*\*Interrupted\*\* \(SIGINT\/SIGTERM\), or never ended \(killed, or still running\): this report is partial/);
  assert.doesNotMatch(renderTable({ ...report, interrupted: undefined }), /Interrupted/);
});

// The HTML page (`--format html`, live or by `report render`) read as a whole run too.
test('the HTML page of an interrupted report says it is partial, under its heading', () => {
  const report = { ...verifyReport([{ source: 'quay.io/jetstack/a', tag: 'v1.0.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cm/a', status: 'in-sync', digest: D('a'), detail: '' }] }]), interrupted: true as const };
  assert.match(renderHtml(report), /<h1>regmirror verify<\/h1>\n<p class="partial" role="alert">Interrupted \(SIGINT\/SIGTERM\), or never ended \(killed, or still running\): this report is partial, only the rows that finished; run the same command again to finish<\/p>/);
  assert.doesNotMatch(renderHtml({ ...report, interrupted: undefined }), /Interrupted/);
});
