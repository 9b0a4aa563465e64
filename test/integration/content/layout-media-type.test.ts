// A layout target records each tag under the manifest's own media type (issue: index.json took
// the descriptor's). The source registry here labels manifests with the other schema's
// Content-Type (OCI served as Docker, Docker as OCI), so the descriptors regmirror reads say the
// wrong type; index.json must not. skopeo, reading the layout, is the judge: it finds an OCI tag
// only under an OCI type, and copies it byte for byte to a registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { digestOf, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { clientHeaders, relay, routeOf } from '../../harness/personalities/common.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest, skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const REF_NAME = 'org.opencontainers.image.ref.name';
const SWAP: Record<string, string> = { [OCI_MANIFEST]: DOCKER_MANIFEST, [DOCKER_MANIFEST]: OCI_MANIFEST };

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
let oci: SeededImage;
let docker: SeededImage;

/** Answers manifest reads with the other schema's Content-Type (bytes untouched). */
const mislabels: Personality = async (ex) => {
  if (routeOf(ex.path)?.resource !== 'manifests' || (ex.method !== 'GET' && ex.method !== 'HEAD')) return false;
  const reply = await ex.fetch(ex.method, ex.path, clientHeaders(ex));
  const type = String(reply.headers['content-type'] ?? '');
  relay(ex, reply, SWAP[type] ? { 'content-type': SWAP[type] } : {});
  return true;
};

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(src, { personalities: [mislabels] });
  dir = await scratchDir('layout-media-type');
  [oci] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true })) as [SeededImage];
  [docker] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.1.0'], format: 'docker', single: true, seed: 'docker' })) as [SeededImage];
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a layout target records the manifest\'s own media type; skopeo reads and copies every tag byte for byte', async () => {
  const out = join(dir, 'out');
  const file = await writeConfig(dir, `version: 1
${registriesYaml([src])}defaults:
  targets: [oci:${out}]
images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${proxy.url}`], {});
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(proxy.stats.log.some((e) => e.path.includes('/manifests/')), 'the source was read through the mislabelling proxy');

  const layout = join(out, 'app');
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] };
  const entries = new Map(index.manifests.map((d) => [d.annotations?.[REF_NAME], d]));
  assert.deepEqual(entries.get('v1.0.0'), { mediaType: OCI_MANIFEST, digest: oci.digest, size: entries.get('v1.0.0')!.size, annotations: { [REF_NAME]: 'v1.0.0' } });
  assert.equal(entries.get('v1.1.0')?.mediaType, DOCKER_MANIFEST);
  assert.equal(entries.get('v1.1.0')?.digest, docker.digest);

  // Back out of the layout with skopeo: the same bytes, accepted by a registry under their own
  // type. (skopeo 1.9 lists only OCI-typed index.json entries, so the Docker tag is judged above.)
  assert.equal(digestOf(await skopeoRawManifest(`oci:${layout}:v1.0.0`)), oci.digest);
  await execa('skopeo', ['copy', '--quiet', '--preserve-digests', `--dest-cert-dir=${dst.certDir}`, `oci:${layout}:v1.0.0`, `docker://${dst.host}/back/app:v1.0.0`]);
  assert.equal(await skopeoDigest(`${dst.host}/back/app:v1.0.0`), oci.digest);
});
