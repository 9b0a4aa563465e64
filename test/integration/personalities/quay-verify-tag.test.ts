// `verify --tag vX.Y.Z` (a maintainer auditing one release, CI right after `sync --tag`) read every
// tag list of the source and of every target first: behind quay.io's paging (n ≤ 100, an opaque
// cursor) a repository of hundreds of old tags costs a page per hundred, one after another, per
// registry (audit6). Targets are now asked for the asked tags alone by HEAD, as sync --tag does
// (inventory/tag-probe.ts); the source's listing still finds the signature tags. What verify must
// keep: drift (missing, missing-referrers), a tag the source lacks, a target it cannot reach, a tag
// asked in the other spelling, --shard, and the JSON report's shape.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { routeOf } from '../../harness/personalities/common.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { deleteManifest, getManifest, pushManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { VerifyReport } from '../../../src/report/model.js';

const OLD = 150; // two pages of 100
let src: RunningRegistry;
let a: RunningRegistry;
let b: RunningRegistry;
let proxies: FaultProxy[];
let release: SeededImage;
let config: string;
let endpoints: string[];
// While set, the source's tag-list pages after the first are held 20 s: an audit that waits for
// the whole listing takes that long.
let holdPages = false;
const slowPaging: Personality = async (ex) => {
  if (holdPages && routeOf(ex.path)?.resource === 'tags' && routeOf(ex.path)?.query.has('next_page')) await new Promise((r) => setTimeout(r, 20_000).unref());
  return false;
};

async function withOldTags(reg: RunningRegistry, repository: string): Promise<void> {
  await seedImage({ url: reg.url }, { repository, tags: ['v0.0.0'], format: 'oci', single: true, seed: 'old' });
  const m = (await getManifest({ url: reg.url }, repository, 'v0.0.0'))!;
  for (let i = 1; i < OLD; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, OLD - i) }, (_, j) => pushManifest({ url: reg.url }, repository, `v0.${Math.floor((i + j) / 10)}.${(i + j) % 10}`, m.bytes, m.mediaType)));
  }
}

before(async () => {
  [src, a, b] = (await Promise.all([0, 1, 2].map(() => startRegistry({ tls: true })))) as [RunningRegistry, RunningRegistry, RunningRegistry];
  proxies = await Promise.all([src, a, b].map((r, i) => proxyFor(r, { personalities: [...(i === 0 ? [slowPaging] : []), quay().play] })));
  await Promise.all([withOldTags(src, 'jetstack/app'), withOldTags(a, 'mirror/app'), withOldTags(b, 'mirror/app')]);
  release = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v2.0.0'], format: 'oci', platforms: 2, signature: true }))[0]!;
  config = await writeConfig(await scratchDir('quay-verify-tag'), `version: 1
defaults:
  targets: [${a.host}/mirror, ${b.host}/mirror]
${registriesYaml([src, a, b])}images:
  - source: ${src.host}/jetstack/app
`);
  endpoints = [src, a, b].flatMap((r, i) => ['--endpoint', `${r.host}=${proxies[i]!.url}`]);
  const sync = await runCli(['sync', '-c', config, '--tag', 'v2.0.0', '--no-progress', ...endpoints]);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  // b loses the signature; v3.0.0 is released at the source only.
  const sig = Object.keys(release.referrerTags).find((t) => t.endsWith('.sig'))!;
  await deleteManifest({ url: b.url }, 'mirror/app', sig);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v3.0.0'], format: 'oci', single: true, seed: 'three' });
});

after(async () => {
  await Promise.all((proxies ?? []).map((p) => p.close()));
  await Promise.all([src, a, b].map((r) => r && destroyRegistry(r)));
});

const verify = async (...args: string[]) => {
  for (const p of proxies) p.resetStats();
  const run = await runCli(['verify', '-c', config, '--format', 'json', '--no-progress', ...endpoints, ...args]);
  const report = JSON.parse(run.stdout) as VerifyReport;
  const rows = report.results.flatMap((r) => r.targets.map((t) => `${r.tag} ${t.repository.split('/')[0] === a.host ? 'a' : 'b'} ${t.status}${t.detail ? `: ${t.detail}` : ''}`));
  return { run, report, rows: rows.sort() };
};

const targetPages = () => proxies.slice(1).flatMap((p) => p.stats.log.filter((e) => e.path.includes('/tags/list')));

test('verify --tag asks the targets for the tags alone, and the source for its signature tags; drift and the report as before', async () => {
  holdPages = true;
  const started = Date.now();
  const { run, report, rows } = await verify('--tag', 'v2.0.0', '--tag', 'v3.0.0');
  const took = Date.now() - started;
  holdPages = false;
  const sig = Object.keys(release.referrerTags).find((t) => t.endsWith('.sig'))!;
  assert.deepEqual(rows, ['v2.0.0 a in-sync', `v2.0.0 b missing-referrers: missing ${sig}`, 'v3.0.0 a missing: tag absent at the target', 'v3.0.0 b missing: tag absent at the target'], run.stderr);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.deepEqual(targetPages().map((e) => e.path), [], 'no target tag list read for a --tag audit');
  assert.ok(took < 15_000, `the audit did not wait for the source's whole listing (${took} ms; its later pages were held 20 s)`);
  assert.deepEqual(Object.keys(report).sort(), ['generatedAt', 'results', 'summary', 'version']);
  assert.deepEqual(report.summary, { repositories: 1, tags: 2, targets: 2, inSync: 1, drift: 3, errors: 0 });
  const v2 = report.results.find((r) => r.tag === 'v2.0.0')!;
  assert.equal(v2.sourceDigest, release.digest);
  assert.deepEqual(Object.keys(v2.targets[0]!).sort(), ['detail', 'digest', 'repository', 'status']);
});

test('verify --tag in the other spelling audits the tag the source has; --shard splits the asked tags', async () => {
  const spelled = await verify('--tag', '2.0.0');
  assert.deepEqual(spelled.rows.map((r) => r.split(':')[0]), ['v2.0.0 a in-sync', 'v2.0.0 b missing-referrers'], spelled.run.stderr);
  const shards = await Promise.all(['1/2', '2/2'].map((s) => verify('--tag', 'v2.0.0', '--tag', 'v3.0.0', '--shard', s)));
  const whole = await verify('--tag', 'v2.0.0', '--tag', 'v3.0.0');
  assert.deepEqual(shards.flatMap((s) => s.rows).sort(), whole.rows);
  assert.equal(shards[0]!.rows.length + shards[1]!.rows.length, whole.rows.length, 'disjoint shards');
});

test('verify --tag of a tag the source lacks, and at a target that cannot be reached: errors, exit 3, as before', async () => {
  const absent = await verify('--tag', 'v9.9.9');
  assert.deepEqual(absent.rows, ['v9.9.9 a error: source has no tag v9.9.9', 'v9.9.9 b error: source has no tag v9.9.9'], absent.run.stderr);
  assert.equal(absent.run.exitCode, 3);
  const closed = await startRegistry({ tls: true });
  const dead = closed.url;
  await destroyRegistry(closed);
  const run = await runCli(['verify', '-c', config, '--format', 'json', '--no-progress', ...endpoints.slice(0, 4), '--endpoint', `${b.host}=${dead}`, '--tag', 'v2.0.0']);
  const rows = (JSON.parse(run.stdout) as VerifyReport).results.flatMap((r) => r.targets.map((t) => `${t.repository.split('/')[0] === a.host ? 'a' : 'b'} ${t.status}`));
  assert.deepEqual(rows.sort(), ['a in-sync', 'b error'], run.stderr);
  assert.equal(run.exitCode, 3);
});
