// Registries with many repositories behind a request-header limit (ACR, quay.io: 400 "Request
// Header Too Large"): a run over many repositories keeps one token per repository (two for a
// mount), so no Authorization header outgrows the limit that a token for the whole run passes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { headerLimit } from '../../harness/personalities/header-limit.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { adminPush, skopeoCreds } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

const REPOS = Array.from({ length: 12 }, (_, i) => `component-${String(i).padStart(2, '0')}`);

let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
let limit: number;
let seeded: Map<string, SeededImage>;
const limits: ReturnType<typeof headerLimit>[] = [];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token', tls: true }), startRegistry({ auth: 'token', tls: true })]);
  // What a mount needs (two repositories with the longest names), and a little room: a third
  // repository's grant does not fit.
  const mount = await bearerFor(dst, `repository:cert-manager/${REPOS[11]}:pull,push repository:cert-manager/${REPOS[10]}:pull`);
  limit = `Bearer ${mount}`.length + 40;
  limits.push(headerLimit(limit), headerLimit(limit));
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [limits[0]!.play] }), proxyFor(dst, { personalities: [limits[1]!.play] })]);
  dir = await scratchDir('header-limit');
  seeded = new Map();
  for (const repo of REPOS) {
    const [image] = await seedImage(adminPush(src), { repository: `jetstack/${repo}`, tags: ['v1.0.0'], format: 'oci', single: true, baseSeed: 'shared', sharedBaseBytes: 2048 });
    seeded.set(repo, image!);
  }
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a token for every repository of the run is refused by the limit (the personality bites)', async () => {
  const scopes = REPOS.map((r) => `repository:cert-manager/${r}:pull,push`).join(' ');
  const res = await fetch(`${pDst.url}/v2/cert-manager/${REPOS[0]}/tags/list`, { headers: { authorization: `Bearer ${await bearerFor(dst, scopes)}` } });
  await res.arrayBuffer();
  assert.equal(res.status, 400);
  assert.equal(limits[1]!.stats.refused, 1);
});

test('a run over many repositories stays under the header limit and copies everything', async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([[src, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }' }], [dst, { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' }]])}images:
${REPOS.map((r) => `  - source: ${src.host}/jetstack/${r}\n`).join('')}`);
  const env = { SRC_USER: 'admin', SRC_PASS: src.users.admin!, DST_USER: 'admin', DST_PASS: dst.users.admin! };
  const refusedBefore = limits[1]!.stats.refused;
  limits[1]!.stats.largestAuthorization = 0;
  const run = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`], { env });
  console.log(`# largest Authorization header: source ${limits[0]!.stats.largestAuthorization} B, target ${limits[1]!.stats.largestAuthorization} B (limit ${limit} B)`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(limits[0]!.stats.refused, 0);
  assert.equal(limits[1]!.stats.refused, refusedBefore);
  assert.ok(limits[1]!.stats.largestAuthorization > 0 && limits[1]!.stats.largestAuthorization <= limit);
  for (const repo of REPOS) {
    assert.equal(await skopeoDigest(`${dst.host}/cert-manager/${repo}:v1.0.0`, skopeoCreds(dst)), seeded.get(repo)!.digest, repo);
  }
});
