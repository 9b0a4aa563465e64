// GitHub refuses a step summary over 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted, supports content
// up to a size of 1024k") and then shows none of it. The ci2 hunt's backfill of 430 tags into 9
// target namespaces wrote 1.19 MB (every row twice: the attention table and the folded table of
// all rows), so the step showed nothing. reportToGitHub now fits the summary under the limit,
// leaving out the folded table first, then the tail of the attention table, with a note naming the
// JSON report that holds every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportToGitHub } from '../../../src/cli/github.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { VerifyResult } from '../../../src/report/model.js';
import { D, verifyReport } from './fixture.js';

const LIMIT = 1024 * 1024;

/** `tags` tags of one source, each `status` at `targets` target namespaces. */
function bigReport(tags: number, targets: number, status: 'in-sync' | 'missing') {
  const results: VerifyResult[] = [];
  for (let i = 0; i < tags; i++) {
    results.push({
      source: 'quay.io/jetstack/cert-manager-controller', tag: `v1.${Math.floor(i / 20)}.${i % 20}`, sourceDigest: D('a'),
      targets: Array.from({ length: targets }, (_, k) => ({
        repository: `registry-${k}.example.com/cert-manager/cert-manager-controller`,
        status, digest: status === 'missing' ? null : D('a'), detail: status === 'missing' ? 'tag absent at the target' : '',
      })),
    });
  }
  return verifyReport(results);
}

async function summaryOf(report: ReturnType<typeof bigReport>, before = ''): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'regmirror-summary-'));
  try {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), RUNNER_TEMP: dir };
    await writeFile(env.GITHUB_STEP_SUMMARY, before);
    await reportToGitHub(report, 'verify', undefined, env);
    assert.ok((await stat(env.GITHUB_STEP_SUMMARY)).size <= LIMIT, 'the whole step summary stays within 1 MiB');
    return (await readFile(env.GITHUB_STEP_SUMMARY, 'utf8')).slice(before.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a report that fits is written whole, folded table included', async () => {
  const md = await summaryOf(bigReport(40, 3, 'missing'));
  assert.equal(md, `${renderMarkdown(bigReport(40, 3, 'missing'))}\n`.replace(/\(generated [^)]*\)/, md.match(/\(generated [^)]*\)/)![0]));
  assert.match(md, /<summary>All 120 rows<\/summary>/);
});

test('every row missing at 9 targets: the drift table stays, the folded table gives way to a note', async () => {
  const md = await summaryOf(bigReport(430, 9, 'missing'));
  assert.equal(md.split('\n').filter((l) => l.startsWith('| quay.io/')).length, 3870);
  assert.ok(!md.includes('<details>'));
  assert.match(md, /All 3870 rows: not shown here \(GitHub's step summary limit\); they are in the JSON report .*regmirror-verify-.*\.json/);
});

test('more drift than fits: the first rows of the drift table, and how many more are in the report', async () => {
  const md = await summaryOf(bigReport(1500, 9, 'missing'));
  const shown = md.split('\n').filter((l) => l.startsWith('| quay.io/')).length;
  assert.ok(shown > 5000 && shown < 13500, `${shown} rows shown`);
  assert.match(md, new RegExp(`… and ${13500 - shown} more: not shown here`));
  assert.match(md, /### Drift and errors \(13500\)/);
});

test('what earlier commands of the step wrote counts against the limit', async () => {
  const md = await summaryOf(bigReport(430, 9, 'missing'), 'x'.repeat(600 * 1024));
  assert.match(md, /… and \d+ more: not shown here/);
});

test('an audit with no drift too large to list: the verdict and a note, no table', async () => {
  const md = await summaryOf(bigReport(1500, 9, 'in-sync'));
  assert.match(md, /No drift: every target matches its source\./);
  assert.match(md, /All 13500 rows: not shown here/);
  assert.ok(!md.includes('<details>'));
});
