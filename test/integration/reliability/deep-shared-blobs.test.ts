// `verify --deep` proves every blob of every platform image is at the target. A release's
// platforms share most layers, and their checks run at once, so each (platform, layer) asked the
// target while the same question was still in flight: an index of 150 children over 5 shared
// layers cost 1,050 HEADs for 305 distinct blobs. Asked once per (target repository, blob) now,
// and a blob that is absent is still reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { digestOf, pushBlob, pushManifest } from '../../harness/seed.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { VerifyReport } from '../../../src/report/model.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
const CHILDREN = 12;
const shared: string[] = [];
const configs: string[] = [];
let config: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  // One release of 12 platform images over the same 3 layers (each its own config).
  const target = { url: src.url };
  const layer = (digest: string, size: number) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size });
  for (let i = 0; i < 3; i++) {
    const bytes = Buffer.from(`shared layer ${i} `.repeat(40));
    shared.push(await pushBlob(target, 'jetstack/app', bytes));
  }
  const children = [];
  for (let i = 0; i < CHILDREN; i++) {
    const config = Buffer.from(JSON.stringify({ architecture: `arch${i}`, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    configs.push(await pushBlob(target, 'jetstack/app', config));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configs[i], size: config.length }, layers: shared.map((d, n) => layer(d, Buffer.from(`shared layer ${n} `.repeat(40)).length)) }));
    await pushManifest(target, 'jetstack/app', digestOf(manifest), manifest, 'application/vnd.oci.image.manifest.v1+json');
    children.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf(manifest), size: manifest.length, platform: { architecture: `arch${i}`, os: 'linux' } });
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children }));
  await pushManifest(target, 'jetstack/app', 'v1.0.0', index, 'application/vnd.oci.image.index.v1+json');
  proxy = await proxyFor(dst);
  config = await writeConfig(await scratchDir('deep-shared-blobs'), `version: 1
defaults:
  targets: [${dst.host}/cm]
  referrers: false
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const sync = await runCli(['sync', '-c', config, '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stderr);
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

const blobHeads = () => proxy.stats.log.filter((e) => e.method === 'HEAD' && /\/blobs\/sha256:/.test(e.path));

test('verify --deep asks the target for each distinct blob once, and still finds one that is absent', async () => {
  const distinct = shared.length + configs.length;
  const run = await runCli(['verify', '--deep', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(blobHeads().length, distinct, `one HEAD per distinct blob, not per (platform, layer): ${CHILDREN * 4}`);

  // A shared layer that went missing at the target is reported, once.
  proxy.resetStats();
  proxy.inject({ method: 'HEAD', path: new RegExp(`/blobs/${shared[1]}$`), times: Infinity, fault: { kind: 'status', status: 404 } });
  const gone = await runCli(['verify', '--deep', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
  assert.equal(gone.exitCode, 1, gone.stderr);
  const row = (JSON.parse(gone.stdout) as VerifyReport).results[0]!.targets[0]!;
  assert.equal(row.status, 'incomplete');
  assert.match(row.detail, new RegExp(`blob ${shared[1]}`));
  assert.equal(blobHeads().length, distinct);
});

// A manifest that lists one layer twice (layers: [L, L]; oras's empty config also as a layer): sync
// takes its blobs once each (copy/graph-below.ts); verify --deep asks the target once for L too and,
// when L is absent, names it once.
test('verify --deep asks once for a blob a manifest lists twice, and names it once when absent', async () => {
  const repo = 'jetstack/twice';
  const bytes = Buffer.from('a layer listed twice '.repeat(40));
  const layerDigest = await pushBlob({ url: src.url }, repo, bytes);
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const cfgDigest = await pushBlob({ url: src.url }, repo, cfg);
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: bytes.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: cfg.length }, layers: [layer, layer] }));
  await pushManifest({ url: src.url }, repo, 'v1.0.0', manifest, 'application/vnd.oci.image.manifest.v1+json');
  const file = await writeConfig(await scratchDir('deep-twice'), `version: 1
defaults:
  targets: [${dst.host}/cm]
  referrers: false
${registriesYaml([src, dst])}images:
  - source: ${src.host}/${repo}
`);
  assert.equal((await runCli(['sync', '-c', file, '--no-progress'])).exitCode, 0);
  const heads = () => blobHeads().filter((e) => e.path.endsWith(layerDigest)).length;
  proxy.resetStats();
  const run = await runCli(['verify', '--deep', '-c', file, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(heads(), 1, 'one HEAD for the layer listed twice');

  proxy.resetStats();
  proxy.inject({ method: 'HEAD', path: new RegExp(`/blobs/${layerDigest}$`), times: Infinity, fault: { kind: 'status', status: 404 } });
  const gone = await runCli(['verify', '--deep', '-c', file, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
  assert.equal(gone.exitCode, 1, gone.stderr);
  const row = (JSON.parse(gone.stdout) as VerifyReport).results[0]!.targets[0]!;
  assert.equal(row.status, 'incomplete');
  assert.equal(row.detail, `absent at the target: blob ${layerDigest}`);
  assert.equal(heads(), 1, 'one HEAD for the layer listed twice');
});
