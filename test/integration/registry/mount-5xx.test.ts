// A target that fails every mount request (5xx after each retry, as one restarting behind its
// proxy does) fails the tags with lines naming the blob and the tries, as a failed upload's do
// (backfill4 hunt: a target restarted mid-backfill; some rows read a bare
// 'POST https://HOST/v2/REPO/blobs/uploads/: 502 Bad Gateway', the mount's query unshown).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(dst);
  await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('mounts answered 502 after every retry: each failed row names the blob and how often it was asked', async () => {
  proxy.inject({ method: 'POST', path: /\?mount=/, times: Infinity, fault: { kind: 'status', status: 502 } });
  const dir = await scratchDir('mount-5xx');
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, [dst, { maxAttempts: 2 }]])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--endpoint', `${dst.host}=${proxy.url}`]);
  assert.equal(run.exitCode, 1, run.stderr);
  const failed = run.stderr.split('\n').filter((l) => l.includes(': failed — '));
  assert.equal(failed.length, 1, run.stderr);
  assert.match(failed[0]!, /: failed — destination [^ ]+\/mirror\/app: blob sha256:[0-9a-f]{64} \([^)]+\) not uploaded, tried 2 times; the last time: POST https:\/\/[^ ]+\/v2\/mirror\/app\/blobs\/uploads\/: 502 Bad Gateway\b/);
});
