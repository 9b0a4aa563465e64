// Harbor and Quay answer a blob HEAD (or a mount from the repository itself) for a blob stored
// under another project of the registry, not linked into this repository; the manifest PUT is
// then refused MANIFEST_BLOB_UNKNOWN naming the blob. regmirror uploads the blobs named into the
// repository and pushes the manifest once more. A real TLS registry behind the personality.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeedImageSpec, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { crossRepoBlobs, type CrossRepoStats } from '../../harness/personalities/cross-repo-blobs.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
const stats: CrossRepoStats = { claimed: 0 };

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  const spec = (repository: string): SeedImageSpec => ({ repository, tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, seed: 'app' });
  images = await seedImage({ url: source.url }, spec('jetstack/app'));
  // The same blobs already stored under another project of the target registry.
  await seedImage({ url: target.url }, spec('other/app'));
  proxy = await proxyFor(target, { personalities: [crossRepoBlobs('other/app', stats)] });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

test('blobs the target said it held but had not linked into the repository are uploaded there, and the manifest pushed again', async () => {
  const config = await writeConfig(await scratchDir('cross-repo'), `version: 1
defaults:
  targets: [${proxy.host}/mirror]
${registriesYaml([source, { host: proxy.host, caFile: target.caFile }])}images:
  - source: ${source.host}/jetstack/app
`);
  const sync = await runCli(['sync', '-c', config, '--no-progress', '-v'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.ok(stats.claimed > 0, 'the target claimed blobs it had not linked');
  const refused = proxy.stats.log.filter((e) => e.method === 'PUT' && /\/manifests\//.test(e.path) && e.status === 400);
  assert.ok(refused.length > 0, 'a manifest PUT was refused MANIFEST_BLOB_UNKNOWN first');
  // -v says each heal once (a manifest is refused more than once first: manifest-put.ts asks again), where, how many blobs, why.
  const said = (sync.stdout + sync.stderr).split('\n').filter((l) => l.includes('refused MANIFEST_BLOB_UNKNOWN although its blobs were found present'));
  assert.equal(said.length, new Set(refused.map((e) => e.path)).size, said.join('\n'));
  for (const line of said) assert.match(line, new RegExp(`${proxy.host}/mirror/app: manifest sha256:[0-9a-f]{64} .*Harbor and Quay.*; [1-9]\\d* blobs? uploaded into ${proxy.host}/mirror/app and the manifest pushed again`));
  const verify = await runCli(['verify', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/mirror/app:${image.tag}`), image.digest);
});
