// Docker Hub's rate limit in front of a real registry: 429 `toomanyrequests` with
// ratelimit-limit/-remaining and no Retry-After. The source host must be slowed down (and only
// it), the user told once, and every tag finished, as skopeo reads them at the target.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { dockerHub } from '../../harness/personalities/dockerhub.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let dir: string;
let images: SeededImage[];
// 40 requests per 5 s: longer than the retry layer's own backoff, as Docker Hub's windows are.
const hub = dockerHub({ limit: 40, windowMs: 5000 });

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(src, { personalities: [hub.play] });
  dir = await scratchDir('dockerhub');
  const tags = Array.from({ length: 10 }, (_, i) => `v1.${i}.0`);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags, format: 'docker', platforms: 2 });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('a rate-limited source is slowed down, said once, and every tag is copied', async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--endpoint', `${src.host}=${proxy.url}`, '--progress-interval', '0.5'], { timeoutMs: 300_000, env: { CI: 'true' } });
  console.log(`# Docker Hub personality: ${hub.stats.admitted} requests admitted, ${hub.stats.limited} refused with 429`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(hub.stats.limited > 0, 'the rate limit was never reached: the test proves nothing');
  const warnings = run.stderr.split('\n').filter((l) => /answers 429/.test(l));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0]!, new RegExp(`^warning: ${src.host} answers 429 too many requests \\(ratelimit-limit 40;w=5, remaining 0;w=5\\): slowing requests to ${src.host} down to .*; a lower registries\\.${src.host}\\.concurrency avoids it, and so do credentials where the limit is for anonymous pulls$`));
  assert.doesNotMatch(run.stderr, new RegExp(`${dst.host} answers 429`));
  // While it is slowed down, the progress lines say so (the warning above scrolls away in minutes of 429s).
  const paced = run.stderr.split('\n').filter((l) => l.startsWith('synced '));
  console.log(`# ${paced.find((l) => l.includes('slowed to')) ?? 'no progress line names the pace'}`);
  assert.ok(paced.some((l) => new RegExp(` · ${src.host} slowed to \\d+\\.\\d requests/s \\(429\\)`).test(l)), run.stderr);
  assert.ok(paced.every((l) => !l.includes(dst.host)), run.stderr);
  for (const image of images) assert.equal(await skopeoDigest(`${dst.host}/cert-manager/app:${image.tag}`), image.digest, image.tag);
});

test('three shards sharing one rate limit at the same time all finish: a 429 while the host is being slowed down costs no attempt', { timeout: 300_000 }, async () => {
  // Three CI jobs behind one address share Docker Hub's limit, so each is refused far more often
  // than it alone would be: a request may meet more 429s than maxAttempts while the pace settles.
  const many = await seedImage({ url: src.url }, { repository: 'jetstack/many', tags: Array.from({ length: 60 }, (_, i) => `v2.${i}.0`), format: 'oci', single: true });
  const shared = dockerHub({ limit: 10, windowMs: 2000 });
  const sharedProxy = await proxyFor(src, { personalities: [shared.play] });
  after(() => sharedProxy.close());
  const file = await writeConfig(join(dir, 'shared'), `version: 1
defaults:
  targets: [${dst.host}/shared]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/many
`);
  const runs = await Promise.all([1, 2, 3].map((k) => runCli(['sync', '-c', file, '--shard', `${k}/3`, '-q', '--endpoint', `${src.host}=${sharedProxy.url}`], { timeoutMs: 280_000 })));
  console.log(`# three shards: ${shared.stats.admitted} requests admitted, ${shared.stats.limited} refused with 429`);
  for (const run of runs) assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const image of many) assert.equal(await skopeoDigest(`${dst.host}/shared/many:${image.tag}`), image.digest, image.tag);
});
