// A second sync after a complete first one, from a source with the OCI 1.1 referrers API to a
// target with it too: the referrers found through the API are already there, so every row says
// `skip` with no referrer counted, the summary says nothing was copied, and nothing is written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, digestOf, getManifest, pushBlob, pushManifest, retag, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { syncReported } from './fixtures.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SIG_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let dir: string;
let file: string;
let endpoints: string[];
let image: SeededImage;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  [pSrc, pDst] = await Promise.all([proxyFor(src, { personalities: [referrersApi(src.dataDir).play] }), proxyFor(dst, { personalities: [referrersApi(dst.dataDir).play] })]);
  dir = await scratchDir('referrers-resync');
  const push = { url: src.url };
  [image] = (await seedImage(push, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, ociReferrer: true })) as [SeededImage];
  await retag(push, 'jetstack/app', 'v1.0.0', 'latest');
  // Only the API reaches the referrers: the fallback tag goes.
  await deleteManifest(push, 'jetstack/app', image.digest.replace(':', '-'));
  const index = (await getManifest(push, 'jetstack/app', 'v1.0.0'))!;
  const empty = Buffer.from('{}');
  const bundle = Buffer.from(JSON.stringify({ mediaType: SIG_TYPE, signed: image.digest }));
  await pushBlob(push, 'jetstack/app', empty);
  await pushBlob(push, 'jetstack/app', bundle);
  const sig = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: SIG_TYPE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(empty), size: empty.length },
    layers: [{ mediaType: SIG_TYPE, digest: digestOf(bundle), size: bundle.length }],
    subject: { mediaType: index.mediaType, digest: image.digest, size: index.bytes.length },
  }));
  await pushManifest(push, 'jetstack/app', digestOf(sig), sig, OCI_MANIFEST);
  file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  endpoints = ['--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`];
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

const sync = (name: string) => syncReported(file, endpoints, join(dir, `${name}.json`));

test('a second sync finds the API-listed referrers present: skip, nothing counted, nothing written', async () => {
  const first = await sync('first');
  const firstRow = first.report.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!;
  assert.equal(firstRow.action, 'copied');
  assert.equal(firstRow.referrers, 2, 'the first sync carries the SBOM and the signature');

  pDst.resetStats();
  const second = await sync('second');
  const rows = second.report.results.flatMap((r) => r.targets.map((t) => ({ tag: r.tag, ...t })));
  assert.deepEqual(rows.map((r) => [r.tag, r.action, r.referrers, r.detail]).sort(), [['latest', 'skip', 0, ''], ['v1.0.0', 'skip', 0, '']]);
  assert.equal(second.report.summary.copied, 0);
  assert.equal(second.report.summary.skipped, 2);
  assert.match(second.output, /0 copied, 2 skipped/);
  const writes = pDst.stats.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
  assert.deepEqual(writes, [], 'the second sync wrote to the target');
});
