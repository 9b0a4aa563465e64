// Issue 9: a middlebox that answers HEAD with a body desynchronises the kept-alive socket; the
// next response on it is malformed. regmirror must drop that connection and ask again on a fresh
// one, so sync and verify finish as if nothing happened (skopeo checks what was written).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy.js';
import { headWithBody, type HeadBodyStats } from '../../harness/personalities/head-body.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let file: string;
const stats: HeadBodyStats = { heads: 0, desynced: 0 };
let images: SeededImage[];

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], format: 'docker', platforms: 2, signature: true });
  // The target answers HEAD with a body: sync's existence checks and verify's in-sync checks are HEADs.
  proxy = await startFaultProxy(target.url, { personalities: [headWithBody(stats)] });
  const dir = await scratchDir('head-body');
  file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/mirror]
images:
  - source: ${source.host}/jetstack/app
`);
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

const viaProxy = () => ['--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '-v'];

test('sync and verify through a proxy that answers HEAD with a body: malformed responses are asked again on fresh connections', async () => {
  // One release first, so that the full sync finds the repository holding content: there its
  // checks are HEADs (a repository that had no tags is checked by self-mount).
  const first = await runCli(['sync', '-c', file, '--tag', 'v1.0.0', ...viaProxy()]);
  assert.equal(first.exitCode, 0, first.stderr + first.stdout);
  const sync = await runCli(['sync', '-c', file, '--concurrency', '2', ...viaProxy()]);
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  const verify = await runCli(['verify', '-c', file, ...viaProxy()]);
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  assert.ok(stats.heads > 0, 'the HEADs went through the misbehaving proxy');
  assert.ok(stats.desynced > 0, 'a stray body reached a kept-alive socket before another response');
  assert.doesNotMatch(sync.stdout + verify.stdout, /unreachable|does not match the HTTP/);
  for (const image of images) assert.equal(await skopeoDigest(`${target.host}/mirror/app:${image.tag}`), image.digest);
});
