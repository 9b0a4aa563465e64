// A source with the OCI 1.1 referrers API mirrored to a ghcr.io-like target (token auth, its
// referrers endpoint a redirect to an HTML page: no API, so the `sha256-HEX` fallback tags): sync,
// then verify agrees (exit 0), and a second sync copies nothing and writes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { digestOf, getManifest, pushBlob, pushManifest, retag, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { ghcr } from '../../harness/personalities/ghcr.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoCreds } from '../reliability/helpers.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { syncReported } from './fixtures.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let src: RunningRegistry;
let dst: RunningRegistry; // token auth, like ghcr.io
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
let file: string;
let endpoints: string[];
let images: SeededImage[];
const attached = new Map<string, string[]>(); // subject digest -> referrers pushed by digest only
const atDst = ghcr();
const env = () => ({ GH_USER: 'admin', GH_TOKEN: dst.users.admin! });

/** An OCI artifact of `type`, attached to the image tagged `tag`, by digest only. */
async function attach(tag: string, type: string, body: string): Promise<string> {
  const push = { url: src.url };
  const top = (await getManifest(push, 'jetstack/app', tag))!;
  const empty = Buffer.from('{}');
  const layer = Buffer.from(body);
  await pushBlob(push, 'jetstack/app', empty);
  await pushBlob(push, 'jetstack/app', layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: type,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(empty), size: empty.length },
    layers: [{ mediaType: type, digest: digestOf(layer), size: layer.length }],
    subject: { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length },
  }));
  const digest = await pushManifest(push, 'jetstack/app', digestOf(manifest), manifest, OCI_MANIFEST);
  attached.set(top.digest, [...(attached.get(top.digest) ?? []), digest]);
  return digest;
}

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ auth: 'token', tls: true })]);
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [referrersApi(src.dataDir).play] }), proxyFor(dst, { personalities: [atDst.play] })]);
  dir = await scratchDir('referrers-ghcr');
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, signature: true });
  await retag({ url: src.url }, 'jetstack/app', 'v1.1.0', 'latest');
  for (const image of images) {
    await attach(image.tag, 'application/vnd.dev.sigstore.bundle.v0.3+json', JSON.stringify({ signed: image.digest }));
    await attach(image.tag, 'application/spdx+json', JSON.stringify({ spdxVersion: 'SPDX-2.3', name: image.digest }));
  }
  file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, [dst, { credentials: '{ usernameEnv: GH_USER, passwordEnv: GH_TOKEN }' }]])}images:
  - source: ${src.host}/jetstack/app
`);
  endpoints = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`];
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

const sync = (name: string) => syncReported(file, endpoints, join(dir, `${name}.json`), env());

test('referrers API source → ghcr-like target: sync, verify agrees, a second sync copies and writes nothing', async () => {
  const first = await sync('first');
  assert.equal(first.report.summary.copied, 3, first.output);
  assert.ok(atDst.stats.referrerProbes >= 1, 'the target\'s referrers endpoint was never asked');
  // Each image's fallback tag at the target lists its referrers, each there byte for byte.
  for (const image of images) {
    const index = await skopeoRawManifest(`docker://${dst.host}/cert-manager/app:${image.digest.replace(':', '-')}`, skopeoCreds(dst));
    const listed = (JSON.parse(index.toString('utf8')) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    assert.deepEqual(listed.sort(), [...attached.get(image.digest)!].sort(), image.tag);
    for (const digest of listed) assert.equal(digestOf(await skopeoRawManifest(`docker://${dst.host}/cert-manager/app@${digest}`, skopeoCreds(dst))), digest);
  }
  const verify = await runCli(['verify', '-c', file, ...endpoints, '--format', 'json'], { env: env() });
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);

  pDst.resetStats();
  const second = await sync('second');
  const rows = second.report.results.flatMap((r) => r.targets.map((t) => [r.tag, t.action, t.referrers]));
  assert.deepEqual(rows.sort(), [['latest', 'skip', 0], ['v1.0.0', 'skip', 0], ['v1.1.0', 'skip', 0]], second.output);
  assert.equal(second.report.summary.copied, 0);
  assert.match(second.output, /0 copied, 3 skipped/);
  const writes = pDst.stats.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
  assert.deepEqual(writes, [], 'the second sync wrote to the target');
  const again = await runCli(['verify', '-c', file, ...endpoints], { env: env() });
  assert.equal(again.exitCode, 0, again.stderr + again.stdout);
});
