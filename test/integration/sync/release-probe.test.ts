// Release time at a distance (release hunt): `sync --tag vX.Y.Z` into repositories holding hundreds
// of old tags behind quay.io's paging (n ≤ 100, an opaque cursor: one page after another). The
// run read every target's and the source's whole tag list before its first copy, for the one tag
// it was told about. Targets are now asked for that tag by HEAD, and the image sets off before the
// source's listing (which finds its signature tags) has ended; conflicts and signatures as before.
// `plan --tag`, which a release engineer runs first, asks the targets the same way: it read their
// whole tag lists, a page after another, to report on one tag.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { routeOf } from '../../harness/personalities/common.js';
import { getManifest, pushManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoRawDigest } from '../reliability/helpers.js';

const OLD = 150; // two pages of 100
let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let release: SeededImage;
// The source's later tag-list pages wait for the release tag's PUT at the target (at most 30 s).
let tagPut!: () => void;
const tagPutSeen = new Promise<'put'>((resolve) => (tagPut = () => resolve('put')));
let heldUntil: 'put' | 'cap' | undefined;
// Set by the sync's case: a plan writes no tag to wait for.
let holding = false;

const holdPages: Personality = async (ex) => {
  const route = routeOf(ex.path);
  if (holding && route?.resource === 'tags' && route.query.has('next_page')) {
    heldUntil = await Promise.race([tagPutSeen, new Promise<'cap'>((resolve) => setTimeout(() => resolve('cap'), 30_000).unref())]);
  }
  return false;
};
const seePut: Personality = (ex) => {
  if (ex.method === 'PUT' && ex.path === '/v2/mirror/app/manifests/v2.0.0') tagPut();
  return false;
};

async function withOldTags(reg: RunningRegistry, repository: string, seed: string): Promise<void> {
  await seedImage({ url: reg.url }, { repository, tags: ['v0.0.0'], format: 'oci', single: true, seed });
  const m = (await getManifest({ url: reg.url }, repository, 'v0.0.0'))!;
  for (let i = 1; i < OLD; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, OLD - i) }, (_, j) => pushManifest({ url: reg.url }, repository, `v0.${Math.floor((i + j) / 10)}.${(i + j) % 10}`, m.bytes, m.mediaType)));
  }
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pSrc = await proxyFor(src, { personalities: [holdPages, quay().play] });
  pDst = await proxyFor(dst, { personalities: [seePut, quay().play] });
  await Promise.all([withOldTags(src, 'jetstack/app', 'old'), withOldTags(dst, 'mirror/app', 'old'), withOldTags(src, 'jetstack/other', 'old-o'), withOldTags(dst, 'mirror/other', 'old-o')]);
  release = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v2.0.0'], format: 'oci', platforms: 2, signature: true }))[0]!;
  await seedImage({ url: src.url }, { repository: 'jetstack/other', tags: ['v2.0.0'], format: 'oci', single: true, seed: 'new' });
  await seedImage({ url: dst.url }, { repository: 'mirror/other', tags: ['v2.0.0'], format: 'oci', single: true, seed: 'elsewhere' });
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

/** The mirrors.yaml of both cases, and the flags that send each host through its proxy. */
async function releaseConfig(name: string): Promise<{ config: string; endpoints: string[] }> {
  const dir = await scratchDir(name);
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
  - source: ${src.host}/jetstack/other
`);
  return { config, endpoints: ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`] };
}

test('plan --tag asks the targets for the tag alone, and says what sync would do', async () => {
  const { config, endpoints } = await releaseConfig('release-probe-plan');
  const run = await runCli(['plan', '-c', config, '--tag', 'v2.0.0', '--no-progress', ...endpoints]);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /v2\.0\.0 +\S+\/mirror\/app +copy\b/);
  assert.match(run.stdout, /v2\.0\.0 +\S+\/mirror\/other +conflict\b/);
  assert.deepEqual(pDst.stats.log.filter((e) => e.path.includes('/tags/list')).map((e) => e.path), [], 'no target tag list read for plan --tag');
  assert.deepEqual(pDst.stats.log.filter((e) => !['GET', 'HEAD'].includes(e.method)).map((e) => `${e.method} ${e.path}`), [], 'a plan writes nothing');
});

test('sync --tag asks the targets for the tag alone and sets off before the source listing ends; conflicts and signatures as before', async () => {
  holding = true;
  pSrc.stats.log.length = 0;
  pDst.stats.log.length = 0;
  const { config, endpoints } = await releaseConfig('release-probe');
  const run = await runCli(['sync', '-c', config, '--tag', 'v2.0.0', '--no-progress', ...endpoints]);
  assert.equal(run.exitCode, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /v2\.0\.0 +\S+\/mirror\/app +copied/);
  assert.match(run.stdout, /v2\.0\.0 +\S+\/mirror\/other +conflict .* target tag points at sha256:/);
  const targetPages = pDst.stats.log.filter((e) => e.path.includes('/tags/list'));
  assert.deepEqual(targetPages.map((e) => e.path), [], 'no target tag list read for a --tag run');
  assert.equal(heldUntil, 'put', 'the tag was written before the source listing\'s later pages were answered');
  assert.ok(pSrc.stats.log.some((e) => e.path.includes('/tags/list') && e.path.includes('next_page')), 'the source was still listed whole (its referrer tags)');
  // What skopeo reads at the target: the release and its signature tag, byte for byte; the conflict untouched.
  assert.equal(await skopeoRawDigest(dst, 'mirror/app', 'v2.0.0'), release.digest);
  const sig = Object.keys(release.referrerTags).find((t) => t.endsWith('.sig'))!;
  assert.equal(await skopeoRawDigest(dst, 'mirror/app', sig), release.referrerTags[sig]);
  assert.notEqual(await skopeoRawDigest(dst, 'mirror/other', 'v2.0.0'), await skopeoRawDigest(src, 'jetstack/other', 'v2.0.0'));
});
