// `verify --deep` reads each referrer tag (`sha256-HEX.sig`) at the target to prove it holds the
// source's digest. Found by a seeded fault hunt (chaos2): when that read failed for a reason other
// than "not found" (5xx after every attempt, a reset), the tag was reported `missing-referrers:
// missing sha256-….sig` although skopeo read it there, and verify exited 1 (drift) where SPEC
// says an audit that could not check something is `error` and exit 3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { VerifyReport } from '../../../src/report/model.js';
import { skopeoRawDigest } from './helpers.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;
let config: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  [image] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2, layerBytes: 500, signature: true })) as [SeededImage];
  proxy = await proxyFor(dst);
  config = await writeConfig(await scratchDir('deep-referrer-error'), oneMirrorYaml(src, [dst, { maxAttempts: 2 }], 'jetstack/app', 'cm'));
  const sync = await runCli(['sync', '-c', config, '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stderr);
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('verify --deep: a referrer tag that cannot be read is an error (exit 3), not missing', async () => {
  const sig = Object.keys(image.referrerTags).find((t) => t.endsWith('.sig'))!;
  assert.equal(await skopeoRawDigest(dst, 'cm/app', sig), image.referrerTags[sig], 'the signature is at the target');
  // Every read of that one tag at the target fails with a 503: the registry is having a bad minute.
  proxy.inject({ path: new RegExp(`/manifests/${sig}$`), times: Infinity, fault: { kind: 'status', status: 503 } });
  const run = await runCli(['verify', '--deep', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
  const report = JSON.parse(run.stdout) as VerifyReport;
  const row = report.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!;
  assert.notEqual(row.status, 'missing-referrers', `the tag is there; the report says: ${row.detail}`);
  assert.equal(row.status, 'error');
  assert.match(row.detail, /503/);
  assert.equal(run.exitCode, 3, run.stderr);
});
