// A target whose blob existence check fails for blobs it lacks (Nexus answered 500 to the HEAD of
// a missing blob, podman-container-tools/skopeo#1639): a check that keeps failing is no reason to
// give up the blob, whose upload makes it present either way. A real TLS registry behind the proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  proxy = await proxyFor(target);
});

after(async () => {
  await proxy?.close();
  await Promise.all([source, target].filter(Boolean).map(destroyRegistry));
});

test('blob checks answered 500 every time: the blobs are uploaded, every digest right', async () => {
  const config = await writeConfig(await scratchDir('blob-check'), `version: 1
defaults:
  targets: [${proxy.host}/mirror]
${registriesYaml([source, [{ host: proxy.host, caFile: target.caFile }, { maxAttempts: 2 }]])}images:
  - source: ${source.host}/jetstack/app
`);
  // One release first, so that the repository holds content: its blob checks are then HEADs.
  const first = await runCli(['sync', '-c', config, '--tag', 'v1.0.0', '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(first.exitCode, 0, first.stdout + first.stderr);
  proxy.resetStats();
  proxy.inject({ method: 'HEAD', path: /\/blobs\/sha256:/, times: Infinity, fault: { kind: 'status', status: 500 } });
  const sync = await runCli(['sync', '-c', config, '--no-progress'], { timeoutMs: 120_000 });
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.ok(proxy.stats.log.some((e) => e.method === 'HEAD' && e.status === 500), 'the blob checks were HEADs, answered 500');
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/mirror/app:${image.tag}`), image.digest);
});
