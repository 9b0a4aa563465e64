// A backfill rerun after a run that died between an index's platform manifests and the index
// (backfill5: 4 shards of 300 tags into a token-auth and a Docker Hub-like TLS target, two shards
// SIGKILLed mid-run and rerun: 42 and 27 child manifests PUT a second time, each already there).
// Below a root the target lacks, children are PUT without a HEAD (new, but for rare sharing); one
// whose every blob was already there is now asked for first, and is not written again when present.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoRawDigest } from '../reliability/helpers.js';

const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0'];
let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(dst);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: TAGS, format: 'oci', platforms: 3 });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a rerun after a run that placed the platform manifests but no index PUTs none of them again', async () => {
  const dir = await scratchDir('resume-children');
  const config = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, [dst, { maxAttempts: 1 }]])}images:
  - source: ${src.host}/jetstack/app
`);
  const args = ['sync', '-c', config, '--no-progress', '--endpoint', `${dst.host}=${proxy.url}`];
  // The first run ends where a killed one may: every blob and child manifest placed, no index or tag.
  proxy.inject({ method: 'PUT', path: /\/manifests\/v\d/, times: Infinity, fault: { kind: 'status', status: 500 } });
  const first = await runCli(args);
  assert.equal(first.exitCode, 1, first.stdout + first.stderr);
  const childPuts = (from: number) => proxy.stats.log.slice(from).filter((e) => e.method === 'PUT' && /\/manifests\/sha256:/.test(e.path) && e.status === 201);
  assert.equal(childPuts(0).length, TAGS.length * 3, 'the first run placed every child manifest');
  proxy.clear();

  const from = proxy.stats.log.length;
  const rerun = await runCli(args);
  assert.equal(rerun.exitCode, 0, rerun.stdout + rerun.stderr);
  assert.deepEqual(childPuts(from).map((e) => e.path), [], 'child manifests already there are not PUT again');
  const writes = proxy.stats.log.slice(from).filter((e) => e.method === 'PUT' || e.method === 'PATCH');
  assert.deepEqual(writes.map((e) => e.path).sort(), TAGS.map((t) => `/v2/mirror/app/manifests/${t}`).sort(), 'the rerun writes the tags alone');
  for (const image of images) assert.equal(await skopeoRawDigest(dst, 'mirror/app', image.tag), image.digest, image.tag);
});
