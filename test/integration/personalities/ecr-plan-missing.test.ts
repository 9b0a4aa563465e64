// `plan` before a release into an ECR-like target whose repository does not exist (ECR creates none
// on push; its reads answer 404 NAME_UNKNOWN "The repository with name … does not exist in the
// registry with id …"): the plan said `copy` there, and the sync it planned then failed with
// "create it first (on Amazon ECR: aws ecr create-repository …)" (audit6). The plan now fails that
// row with the same line (exit 0: rows a plan cannot copy are rows of the plan, as a tag the source
// lacks is), and its sync fails it before reading a blob for it. distribution's own NAME_UNKNOWN,
// which it answers for a repository its first push creates, still plans as `copy`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';
import { skopeoRawDigest } from '../reliability/helpers.js';
import { mirrorsYaml, open } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
const e = ecr({ repositories: ['cert-manager/other'] });
let dir: string;
let config: string;
const advice = /^\S+: repository cert-manager\/app does not exist and this registry does not create repositories on push; create it first \(on Amazon ECR: aws ecr create-repository --repository-name cert-manager\/app\), then run regmirror again$/;

before(async () => {
  [src, target] = (await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })])) as [RunningRegistry, RunningRegistry];
  proxy = await proxyFor(target, { personalities: [e.personality] });
  await seedImage(open(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  await seedImage(open(src), { repository: 'jetstack/other', tags: ['v2.0.0'], format: 'oci', single: true });
  dir = await scratchDir('ecr-plan-missing');
  config = await writeConfig(dir, mirrorsYaml(src, target, 'cert-manager', ['jetstack/app', 'jetstack/other']));
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, target].map((r) => r && destroyRegistry(r)));
});

const rowsIn = (report: SyncReport) => report.results.flatMap((r) => r.targets.map((t) => ({ tag: r.tag, action: t.action, detail: t.detail })));
const rowsOf = async (file: string) => rowsIn(JSON.parse(await readFile(join(dir, file), 'utf8')) as SyncReport);
const planned = (stdout: string) => rowsIn(JSON.parse(stdout) as SyncReport);

test('plan into a missing ECR repository says it must be created, as its sync then does; exit 0', async () => {
  const ecrEndpoint = ['--endpoint', `${target.host}=${proxy.url}`];
  const table = await runCli(['plan', '-c', config, '--no-progress', ...ecrEndpoint]);
  assert.equal(table.exitCode, 0, table.stderr + table.stdout);
  assert.match(table.stdout, /v1\.0\.0 +\S+\/cert-manager\/app +failed .*create it first \(on Amazon ECR: aws ecr create-repository --repository-name cert-manager\/app\)/);
  assert.ok(e.stats.absentReads.some((r) => r.startsWith('GET /v2/cert-manager/app/tags/list')), 'the personality answered the listing in ECR\'s words');
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', ...ecrEndpoint]);
  assert.equal(plan.exitCode, 0, plan.stderr + plan.stdout);
  const rows = planned(plan.stdout);
  assert.deepEqual(rows.map((r) => `${r.tag} ${r.action}`).sort(), ['v1.0.0 failed', 'v1.1.0 failed', 'v2.0.0 copy']);
  for (const r of rows.filter((x) => x.action === 'failed')) assert.match(r.detail, advice);
  // verify's `missing` rows there say it too: `regmirror sync` alone fails there.
  const audit = await runCli(['verify', '-c', config, '--no-progress', '--format', 'json', ...ecrEndpoint]);
  assert.equal(audit.exitCode, 1, audit.stderr + audit.stdout);
  const audited = (JSON.parse(audit.stdout) as VerifyReport).results.flatMap((r) => r.targets.map((t) => `${r.tag} ${t.status} ${t.detail}`));
  assert.deepEqual(audited.map((d) => d.replace(/: \S+: repository cert-manager\/app does not exist .*create it first \(on Amazon ECR: aws ecr create-repository --repository-name cert-manager\/app\), then run regmirror again$/, ': CREATE')).sort(),
    ['v1.0.0 missing tag absent at the target: CREATE', 'v1.1.0 missing tag absent at the target: CREATE', 'v2.0.0 missing tag absent at the target']);

  proxy.resetStats();
  const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'sync.json'), ...ecrEndpoint]);
  assert.equal(sync.exitCode, 1, sync.stderr + sync.stdout);
  const synced = await rowsOf('sync.json');
  assert.deepEqual(synced.map((r) => `${r.tag} ${r.action}`).sort(), ['v1.0.0 failed', 'v1.1.0 failed', 'v2.0.0 copied']);
  for (const r of synced.filter((x) => x.action === 'failed')) assert.match(r.detail, advice);
  assert.deepEqual(proxy.stats.log.filter((x) => x.path.includes('/cert-manager/app/') && x.method !== 'GET' && x.method !== 'HEAD'), [], 'no write tried into the missing repository');
  assert.equal(await skopeoRawDigest(target, 'cert-manager/other', 'v2.0.0'), await skopeoRawDigest(src, 'jetstack/other', 'v2.0.0'));

  e.create('cert-manager/app');
  const created = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', ...ecrEndpoint]);
  assert.equal(created.exitCode, 0, created.stderr + created.stdout);
  assert.deepEqual(planned(created.stdout).map((r) => `${r.tag} ${r.action}`).sort(), ['v1.0.0 copy', 'v1.1.0 copy', 'v2.0.0 skip']);
});

test("distribution's NAME_UNKNOWN for a repository its first push creates still plans as copy", async () => {
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', '--filter', '*app']);
  assert.equal(plan.exitCode, 0, plan.stderr + plan.stdout);
  assert.deepEqual(planned(plan.stdout).map((r) => `${r.tag} ${r.action}`).sort(), ['v1.0.0 copy', 'v1.1.0 copy']);
});
