// Referrers found through a source's referrers API, mirrored to a registry without that API
// (plain distribution 2.8): sync keeps the subject's `sha256-HEX` fallback index there (merged
// with what it lists already), a second sync writes nothing, and verify reads referrers through
// that index: a referrer deleted, or no longer listed, is `missing-referrers`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, digestOf, getManifest, pushBlob, pushManifest, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const SIG_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const SBOM_TYPE = 'application/spdx+json';

interface Listed { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }

let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
let file: string;
let endpoints: string[];
let image: SeededImage;
let signature: string;
let sbom: string;
let theirs: string;
const apiSrc = { current: undefined as ReturnType<typeof referrersApi> | undefined };

/** An OCI artifact of `artifactType` with one layer, attached to `subject` (descriptor of the image). */
async function attach(at: PushTarget, repository: string, subject: Listed, artifactType: string, body: string, annotations?: Record<string, string>): Promise<string> {
  const empty = Buffer.from('{}');
  const layer = Buffer.from(body);
  await pushBlob(at, repository, empty);
  await pushBlob(at, repository, layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType,
    config: { mediaType: EMPTY, digest: digestOf(empty), size: empty.length },
    layers: [{ mediaType: artifactType, digest: digestOf(layer), size: layer.length }],
    subject, ...(annotations ? { annotations } : {}),
  }));
  return pushManifest(at, repository, digestOf(manifest), manifest, OCI_MANIFEST);
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  const atSrc = referrersApi(src.dataDir);
  apiSrc.current = atSrc;
  // The target's proxy plays no personality: distribution 2.8 as it is, without a referrers API.
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [atSrc.play] }), proxyFor(dst)]);
  dir = await scratchDir('referrers-fallback');
  const push = { url: src.url };
  [image] = (await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 })) as [SeededImage];
  const index = await getManifest(push, 'jetstack/app', 'v1.0.0');
  const subject = { mediaType: index!.mediaType, digest: image.digest, size: index!.bytes.length };
  // Attached by digest only: the source has no fallback tag, only its API lists them.
  signature = await attach(push, 'jetstack/app', subject, SIG_TYPE, JSON.stringify({ signed: image.digest }));
  sbom = await attach(push, 'jetstack/app', subject, SBOM_TYPE, '{"spdxVersion":"SPDX-2.3"}', { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' });
  // Someone else already keeps a fallback index at the target, listing an attestation of theirs.
  const target = { url: dst.url };
  theirs = await attach(target, 'cert-manager/app', subject, 'application/vnd.in-toto+json', '{"_type":"x"}');
  const theirEntry = { mediaType: OCI_MANIFEST, digest: theirs, size: (await getManifest(target, 'cert-manager/app', theirs))!.bytes.length, artifactType: 'application/vnd.in-toto+json' };
  const fallback = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [theirEntry] }));
  await pushManifest(target, 'cert-manager/app', fallbackTag(), fallback, OCI_INDEX);

  file = await writeConfig(dir, `version: 1
${registriesYaml([src, dst])}defaults:
  targets: [${dst.host}/cert-manager]
images:
  - source: ${src.host}/jetstack/app
`);
  endpoints = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`];
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

function fallbackTag(): string {
  return image.digest.replace(':', '-');
}

/** The fallback index at the target as skopeo reads it. */
async function listedAtTarget(): Promise<Listed[]> {
  const raw = await skopeoRawManifest(`docker://${dst.host}/cert-manager/app:${fallbackTag()}`);
  const index = JSON.parse(raw.toString('utf8')) as { mediaType: string; manifests: Listed[] };
  assert.equal(index.mediaType, OCI_INDEX);
  return index.manifests;
}

async function verifyReport(): Promise<{ exitCode: number | undefined; status: string; detail: string; all: string }> {
  const run = await runCli(['verify', '-c', file, ...endpoints, '--format', 'json'], {});
  const report = JSON.parse(run.stdout) as { results: { tag: string; targets: { status: string; detail: string }[] }[] };
  const row = report.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!;
  return { exitCode: run.exitCode, status: row.status, detail: row.detail, all: run.stderr + run.stdout };
}

test('sync writes the fallback index at a target without the referrers API, once; verify reads referrers through it', async () => {
  const run = await runCli(['sync', '-c', file, ...endpoints], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(apiSrc.current!.stats.lists > 0, 'regmirror never asked the source\'s referrers API');

  const listed = await listedAtTarget();
  // Their entry keeps its place; ours follow in digest order, described as the referrers API does.
  assert.deepEqual(listed.map((d) => d.digest), [theirs, ...[signature, sbom].sort()]);
  const byDigest = new Map(listed.map((d) => [d.digest, d]));
  assert.equal(byDigest.get(signature)!.artifactType, SIG_TYPE);
  assert.equal(byDigest.get(sbom)!.artifactType, SBOM_TYPE);
  assert.deepEqual(byDigest.get(sbom)!.annotations, { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' });
  for (const d of listed) assert.equal(digestOf(await skopeoRawManifest(`docker://${dst.host}/cert-manager/app@${d.digest}`)), d.digest);

  // A second sync writes nothing at all: the index already lists every referrer.
  const before = digestOf(await skopeoRawManifest(`docker://${dst.host}/cert-manager/app:${fallbackTag()}`));
  pDst.resetStats();
  const again = await runCli(['sync', '-c', file, ...endpoints], {});
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  const writes = pDst.stats.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
  assert.deepEqual(writes, [], 'the second sync wrote to the target');
  assert.equal(digestOf(await skopeoRawManifest(`docker://${dst.host}/cert-manager/app:${fallbackTag()}`)), before);

  const ok = await verifyReport();
  assert.equal(ok.exitCode, 0, ok.all);
  assert.equal(ok.status, 'in-sync');
});

test('verify: a referrer the target\'s fallback index does not list, or that is gone, is missing-referrers', async () => {
  // The index goes (its manifests stay): nothing at the target leads to the referrers any more.
  await deleteManifest({ url: dst.url }, 'cert-manager/app', fallbackTag());
  const unlisted = await verifyReport();
  assert.equal(unlisted.exitCode, 1, unlisted.all);
  assert.equal(unlisted.status, 'missing-referrers');
  assert.match(unlisted.detail, new RegExp(`referrer ${signature} not listed by the fallback tag ${fallbackTag()}`));
  assert.match(unlisted.detail, new RegExp(`referrer ${sbom} not listed`));

  // sync repairs it; then the signature itself is deleted at the target.
  const repair = await runCli(['sync', '-c', file, ...endpoints], {});
  assert.equal(repair.exitCode, 0, repair.stderr + repair.stdout);
  assert.deepEqual((await listedAtTarget()).map((d) => d.digest), [signature, sbom].sort());
  assert.equal((await verifyReport()).status, 'in-sync');

  await deleteManifest({ url: dst.url }, 'cert-manager/app', signature);
  const drift = await verifyReport();
  assert.equal(drift.exitCode, 1, drift.all);
  assert.equal(drift.status, 'missing-referrers');
  assert.match(drift.detail, new RegExp(`missing referrer ${signature}`));
  assert.doesNotMatch(drift.detail, new RegExp(sbom));
});
