// quay.io in front of real registries: tag pages of at most 100 followed by an opaque Link
// cursor, 401 (not 404) for an absent repository, and 415 for one tag's config media type.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { digestOf, listTags, pushBlob, pushManifest, retag, seedImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { quay } from '../../harness/personalities/quay.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { adminPush, skopeoCreds } from '../reliability/helpers.js';
import { admin, testClient } from '../registry/helpers.js';
import { AccessDeniedError } from '../../../src/types/errors.js';
import { scratchDir } from '../../harness/scratch.js';

const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';

let src: RunningRegistry; // token auth, like quay.io
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
const quaySrc = quay();
const quayDst = quay({ hideAbsent: false, refusedConfigTypes: [HELM_CONFIG] });

const env = () => ({ SRC_USER: 'admin', SRC_PASS: src.users.admin! });
const endpoints = () => ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`];
const config = (...repos: string[]) => `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([[src, { credentials: '{ usernameEnv: SRC_USER, passwordEnv: SRC_PASS }', maxAttempts: 3 }], dst])}images:
${repos.map((r) => `  - source: ${src.host}/jetstack/${r}\n`).join('')}`;

interface Report { results: { source: string; tag: string; targets: { action: string; detail: string }[] }[] }

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token', tls: true }), startRegistry({ tls: true })]);
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [quaySrc.play] }), proxyFor(dst, { personalities: [quayDst.play] })]);
  dir = await scratchDir('quay');
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a source of 150 tags is read in pages of at most 100, following the opaque Link cursor as given', async () => {
  const [first] = await seedImage(adminPush(src), { repository: 'jetstack/many', tags: ['v1.0.0'], format: 'oci', single: true });
  const tags = Array.from({ length: 150 }, (_, i) => `v1.0.${i}`);
  for (const tag of tags.slice(1)) await retag(adminPush(src), 'jetstack/many', 'v1.0.0', tag);
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'many'), config('many')), ...endpoints()], { env: env() });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(quaySrc.stats.refusedPageSizes, 0, 'a page over 100 was asked for');
  assert.equal(quaySrc.stats.badCursors, 0, 'a cursor was not followed as given');
  assert.ok(quaySrc.stats.pages >= 2, `${quaySrc.stats.pages} pages`);
  assert.deepEqual((await listTags({ url: dst.url }, 'cert-manager/many')).sort(), [...tags].sort());
  for (const tag of ['v1.0.0', 'v1.0.99', 'v1.0.100', 'v1.0.149']) {
    assert.equal(await skopeoDigest(`${dst.host}/cert-manager/many:${tag}`), first!.digest, tag);
  }
});

test('an absent repository (401 after authenticating) is named with what to check, once, and the others are copied', async () => {
  await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  const fetchesBefore = src.tokenServer!.requests;
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'absent'), config('app', 'nosuchrepo')), ...endpoints()], { env: env() });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  const out = run.stdout + run.stderr;
  assert.match(out, new RegExp(`${src.host}/jetstack/nosuchrepo: repository absent or access denied .*check the repository name and that the credentials used for ${src.host} \\(from mirrors.yaml's registries.${src.host}.credentials\\) may pull from it`));
  assert.ok(quaySrc.stats.hidden > 0, 'the personality answered 401');
  // One token for each repository, one fresh token for the refused one: no re-authentication loop.
  assert.ok(src.tokenServer!.requests - fetchesBefore <= 3, `${src.tokenServer!.requests - fetchesBefore} token requests`);
  assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app:v1.0.0`), await skopeoDigest(`${src.host}/jetstack/app:v1.0.0`, skopeoCreds(src)));
});

test('the client asks for a fresh token once for a refused repository, then refuses it without the network', async () => {
  const client = testClient(src, admin(src), { endpoints: new Map([[src.host, pSrc.url]]) });
  after(() => client.close());
  const repo = client.repository(src.host, 'jetstack/absent', 'pull');
  await assert.rejects(repo.listTags(), AccessDeniedError);
  const { tokenFetches, requests } = client.stats;
  assert.equal(tokenFetches, 2, 'one token, then one fresh token after the 401');
  await assert.rejects(repo.listTags(), AccessDeniedError);
  await assert.rejects(repo.resolve('v1.0.0'), AccessDeniedError);
  assert.deepEqual([client.stats.tokenFetches, client.stats.requests], [tokenFetches, requests]);
});

test('without credentials, a refused repository says to give some', async () => {
  const client = testClient(src, undefined, { endpoints: new Map([[src.host, pSrc.url]]) });
  after(() => client.close());
  await assert.rejects(client.repository(src.host, 'jetstack/app', 'pull').listTags(), (e: Error) => {
    assert.ok(e instanceof AccessDeniedError, String(e));
    assert.match(e.message, new RegExp(`^${src.host}/jetstack/app: repository absent or access denied \\(GET answered 401 to an anonymous token\\): check the repository name, or give credentials for ${src.host} \\(registries\\.${src.host}\\.credentials or docker login\\) if it is private$`));
    return true;
  });
});

test('a tag whose config media type the target refuses (415) fails alone, saying so; the rest is copied', async () => {
  const images = await seedImage(adminPush(src), { repository: 'jetstack/mixed', tags: ['v1.0.0', 'v1.0.1'], format: 'docker', platforms: 2 });
  // A Helm chart pushed as v1.0.2 of the same repository (as an OCI artifact, config by Helm's type).
  const push = adminPush(src);
  const chartConfig = Buffer.from('{"name":"mixed","version":"1.0.2"}');
  const chart = Buffer.from('not really a tgz, but bytes all the same');
  await pushBlob(push, 'jetstack/mixed', chartConfig);
  await pushBlob(push, 'jetstack/mixed', chart);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: HELM_CONFIG, digest: digestOf(chartConfig), size: chartConfig.length },
    layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: digestOf(chart), size: chart.length }],
  }));
  await pushManifest(push, 'jetstack/mixed', 'v1.0.2', manifest, 'application/vnd.oci.image.manifest.v1+json');
  const reportFile = join(dir, 'mixed.json');
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'mixed'), config('mixed')), ...endpoints(), '--report', reportFile], { env: env() });
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.equal(quayDst.stats.refusedTypes, 1);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
  const row = (tag: string) => report.results.find((r) => r.tag === tag)?.targets[0];
  assert.equal(row('v1.0.2')?.action, 'failed');
  assert.match(row('v1.0.2')!.detail, new RegExp(`${dst.host}/cert-manager/mixed:v1.0.2: the registry refuses the application/vnd.oci.image.manifest.v1\\+json manifest with "application/vnd.cncf.helm.config.v1\\+json" \\(415 Unsupported Media Type`));
  assert.match(row('v1.0.2')!.detail, /exclude the tag/);
  for (const image of images) {
    assert.equal(row(image.tag)?.action, 'copied', image.tag);
    assert.equal(await skopeoDigest(`${dst.host}/cert-manager/mixed:${image.tag}`), image.digest);
  }
});
