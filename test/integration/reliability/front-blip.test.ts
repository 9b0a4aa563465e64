// A CDN or load balancer in front of the source answering its own 502 and 504 pages for 3 s, as
// one does while the registry behind it restarts or fails over (issuer2 hunt: a TLS
// docker-registry behind such a proxy, 3 s of pages mid-run: two of five tags failed, 'tried 5
// times' within 2.4 s, where skopeo's --retry-times 3 waits 1 + 2 + 4 s). The waits after a
// 502/503/504 are now never shorter than their step (3.75–7.5 s over maxAttempts 5), so the run
// outlasts the blip and every tag lands; skopeo checks the digests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sha256 } from '../../../src/types/digest.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], format: 'oci', platforms: 2 });
  proxy = await proxyFor(source);
  dir = await scratchDir('front-blip');
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

test('a source behind a front end answering 502 and 504 pages for 3 s: the run outlasts it, every tag copied', { timeout: 120_000 }, async () => {
  const config = await writeConfig(join(dir, 'sync'), `version: 1
defaults:
  targets: [${target.host}/mirror]
${registriesYaml([{ host: proxy.host, caFile: source.caFile }, target])}images:
  - source: ${proxy.host}/jetstack/app
`);
  proxy.inject({ path: /\/manifests\//, times: Infinity, fault: { kind: 'page', status: 502 } });
  proxy.inject({ path: /./, times: Infinity, fault: { kind: 'page', status: 504 } });
  const blip = setTimeout(() => proxy.clear(), 3000);
  try {
    const run = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 90_000 });
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  } finally {
    clearTimeout(blip);
    proxy.clear();
  }
  assert.ok(proxy.stats.injected.page > 0, 'the pages were met');
  for (const image of images) assert.equal(sha256(await skopeoRawManifest(`${target.host}/mirror/app:${image.tag}`)), image.digest);
});
