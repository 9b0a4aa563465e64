// A sharded backfill as CI runs it: three `--shard auto` jobs (a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX / JOB_COMPLETIONS), `report merge`, and the same result as one unsharded run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0', 'v1.6.0', 'latest'];

before(async () => {
  reg = await startRegistry({ tls: true });
  dir = await scratchDir('backfill');
  await Promise.all([
    seedImage({ url: reg.url }, { repository: 'jetstack/controller', tags: TAGS, format: 'oci', platforms: 2, signature: true }),
    seedImage({ url: reg.url }, { repository: 'jetstack/webhook', tags: TAGS, format: 'docker', platforms: 2 }),
  ]);
});

after(async () => reg && destroyRegistry(reg));

const config = (ns: string) => writeConfig(join(dir, ns), `version: 1
defaults:
  targets: [${reg.host}/${ns}]
${registriesYaml([reg])}images:
  - source: ${reg.host}/jetstack/controller
  - source: ${reg.host}/jetstack/webhook
`);

/** What a run did per (source, tag, target name), target namespace left out so two runs compare. */
function facts(report: SyncReport | VerifyReport, ns: string): string[] {
  return report.results.flatMap((r) => r.targets.map((t) => {
    const what = 'action' in t ? t.action : t.status;
    return `${r.source} ${r.tag} ${r.sourceDigest} → ${t.repository.replace(`/${ns}/`, '/NS/')} ${what} ${t.digest}`;
  })).sort();
}

test('three --shard auto jobs plus report merge equal one unsharded run', { timeout: 300_000 }, async () => {
  const whole = await config('whole');
  const wholeRun = await runCli(['sync', '-c', whole, '--report', join(dir, 'whole.json'), '-q']);
  assert.equal(wholeRun.exitCode, 0, wholeRun.stderr);

  const sharded = await config('sharded');
  const reports: string[] = [];
  for (const index of [0, 1, 2]) {
    const file = join(dir, `shard-${index}.json`);
    const run = await runCli(['sync', '-c', sharded, '--shard', 'auto', '--report', file, '-q'], { env: { JOB_COMPLETION_INDEX: String(index), JOB_COMPLETIONS: '3' } });
    assert.equal(run.exitCode, 0, run.stderr);
    const part = JSON.parse(await readFile(file, 'utf8')) as SyncReport;
    assert.ok(part.results.length > 0 && part.results.length < TAGS.length * 2, `shard ${index} holds a part: ${part.results.length}`);
    reports.push(file);
  }
  const merged = join(dir, 'merged.json');
  const m = await runCli(['report', 'merge', ...reports, '-o', merged]);
  assert.equal(m.exitCode, 0, m.stderr);
  assert.equal(m.stderr, '');
  // A shard whose job died before its report (SIGKILL, a node lost) left a merge of the others
  // that read as the whole run, exit 0 without a word (backfill hunt): each report names its shard now.
  const short = await runCli(['report', 'merge', reports[0]!, reports[2]!, '-o', join(dir, 'short.json')]);
  assert.equal(short.exitCode, 0, short.stderr);
  assert.equal(short.stderr, "warning: report merge: no report of shard 2/3 among the files given, so the merged report lacks that shard's tags: merge its report too (run that shard again if it wrote none)\n");
  const mergedReport = JSON.parse(await readFile(merged, 'utf8')) as SyncReport;
  const wholeReport = JSON.parse(await readFile(join(dir, 'whole.json'), 'utf8')) as SyncReport;
  assert.deepEqual(facts(mergedReport, 'sharded'), facts(wholeReport, 'whole'));
  const counts = (r: SyncReport) => [r.summary.copied, r.summary.skipped, r.summary.conflicts, r.summary.failed, r.summary.tags];
  assert.deepEqual(counts(mergedReport), counts(wholeReport));

  // The registries agree too: verify of both namespaces reads alike, and skopeo sees the same digests.
  const [a, b] = await Promise.all(['whole', 'sharded'].map(async (ns) => {
    const v = await runCli(['verify', '-c', join(dir, ns, 'mirrors.yaml'), '--format', 'json']);
    assert.equal(v.exitCode, 0, v.stdout);
    return facts(JSON.parse(v.stdout) as VerifyReport, ns);
  }));
  assert.deepEqual(b, a);
  assert.equal(await skopeoDigest(`docker://${reg.host}/sharded/webhook:v1.3.0`), await skopeoDigest(`docker://${reg.host}/jetstack/webhook:v1.3.0`));
});

test('--shard auto without JOB_COMPLETION_INDEX stops before any request with what to set', async () => {
  const cfg = await config('noenv');
  const run = await runCli(['sync', '-c', cfg, '--shard', 'auto'], { env: { JOB_COMPLETION_INDEX: undefined, JOB_COMPLETIONS: '3' } });
  assert.equal(run.exitCode, 2);
  assert.match(run.stderr, /^regmirror: --shard auto: JOB_COMPLETION_INDEX is not set; .*--shard K\/N\n$/);
  const bad = await runCli(['verify', '-c', cfg, '--shard', 'auto'], { env: { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '3' } });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /JOB_COMPLETION_INDEX="3" and JOB_COMPLETIONS="3" do not fit/);
  // In a GitHub Actions step the same line is an error annotation.
  const gha = await runCli(['sync', '-c', cfg, '--shard', 'auto'], { env: { GITHUB_ACTIONS: 'true' } });
  assert.equal(gha.exitCode, 2);
  assert.match(gha.stderr, /^::error title=regmirror::regmirror: --shard auto: JOB_COMPLETION_INDEX and JOB_COMPLETIONS are not set; /);
});
