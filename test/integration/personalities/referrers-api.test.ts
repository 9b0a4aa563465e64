// The OCI 1.1 referrers API in front of real registries: an image whose signature and SBOM are
// reachable only through the API (no fallback tag) is copied with them, the target's API lists
// them, skopeo reads them byte for byte, and verify finds one missing once it is deleted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, digestOf, getManifest, pushBlob, pushManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SIG_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
let image: SeededImage;
let signature: string;
const apiSrc = { current: undefined as ReturnType<typeof referrersApi> | undefined };

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  const atSrc = referrersApi(src.dataDir);
  apiSrc.current = atSrc;
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [atSrc.play] }), proxyFor(dst, { personalities: [referrersApi(dst.dataDir).play] })]);
  dir = await scratchDir('referrers-api');
  const push = { url: src.url };
  [image] = (await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, ociReferrer: true })) as [SeededImage];
  // Only the API reaches the SBOM: its fallback tag goes.
  await deleteManifest(push, 'jetstack/app', image.digest.replace(':', '-'));
  // A sigstore-bundle signature, also by digest only.
  const empty = Buffer.from('{}');
  const bundle = Buffer.from(JSON.stringify({ mediaType: SIG_TYPE, signed: image.digest }));
  await pushBlob(push, 'jetstack/app', empty);
  await pushBlob(push, 'jetstack/app', bundle);
  const index = await getManifest(push, 'jetstack/app', 'v1.0.0');
  const sig = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: SIG_TYPE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(empty), size: empty.length },
    layers: [{ mediaType: SIG_TYPE, digest: digestOf(bundle), size: bundle.length }],
    subject: { mediaType: index!.mediaType, digest: image.digest, size: index!.bytes.length },
  }));
  signature = await pushManifest(push, 'jetstack/app', digestOf(sig), sig, OCI_MANIFEST);
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

async function referrersAt(proxy: FaultProxy, repo: string, digest: string): Promise<string[]> {
  const res = await fetch(`${proxy.url}/v2/${repo}/referrers/${digest}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest).sort();
}

test('referrers reachable only through the API are copied, listed by the target\'s API, and verified', async () => {
  const wanted = [...image.referrerDigests, signature].sort();
  assert.deepEqual(await referrersAt(pSrc, 'jetstack/app', image.digest), wanted, 'the source lists them');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const endpoints = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`];
  const run = await runCli(['sync', '-c', file, ...endpoints], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(apiSrc.current!.stats.lists > 0, 'regmirror never asked the source\'s referrers API');
  assert.deepEqual(await referrersAt(pDst, 'cert-manager/app', image.digest), wanted, 'the target lists them');
  for (const digest of [image.digest, ...wanted]) {
    const raw = await skopeoRawManifest(`docker://${dst.host}/cert-manager/app@${digest}`);
    assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, digest);
  }
  const verify = await runCli(['verify', '-c', file, ...endpoints, '--format', 'json'], {});
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);

  await deleteManifest({ url: dst.url }, 'cert-manager/app', signature);
  const drift = await runCli(['verify', '-c', file, ...endpoints, '--format', 'json'], {});
  assert.equal(drift.exitCode, 1, drift.stderr + drift.stdout);
  const report = JSON.parse(drift.stdout) as { results: { targets: { status: string; detail: string }[] }[] };
  assert.equal(report.results[0]!.targets[0]!.status, 'missing-referrers');
  assert.match(report.results[0]!.targets[0]!.detail, new RegExp(signature));
});
