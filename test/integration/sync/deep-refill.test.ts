// `verify --deep` calls a target image incomplete when its tag is in place but a child manifest
// or a blob below it is gone (a registry's garbage collection, a hand-deleted platform). `sync`
// skipped it (the tag's digest matches) and `sync --force` too, so the report's only advice was
// to delete the manifest by hand (report hunt). `sync --deep` checks the parts of tags in place
// and copies what is missing, without writing the tag again (ECR's immutable tags refuse even
// the same digest); skopeo, copying every platform from the target, judges the repair.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RunningRegistry } from '../../harness/registry.js';
import { deleteBlob, deleteManifest, getManifest, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { deepBed, type DeepBed } from './deep-bed.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import type { SyncReport, VerifyReport } from '../../../src/report/model.js';

let bed: DeepBed;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;
let dir: string;

before(async () => {
  bed = await deepBed('deep-refill', { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 3 }, 'cm');
  ({ dst, proxy, image, dir } = bed);
});

after(() => bed?.close());

const run = (args: string[]) => bed.run(args);

test('sync --deep copies the child manifest and the blob an image in place lacks, and leaves its tag alone', { timeout: 180_000 }, async () => {
  // Platform 1's manifest goes, and a layer of platform 0, whose manifest stays.
  const kept = await getManifest({ url: dst.url }, 'cm/app', image.childDigests[0]!);
  const layer = (JSON.parse(kept!.bytes.toString('utf8')) as { layers: { digest: string }[] }).layers[0]!.digest;
  await deleteManifest({ url: dst.url }, 'cm/app', image.childDigests[1]!);
  await deleteBlob({ url: dst.url }, 'cm/app', layer);

  const before = JSON.parse((await run(['verify', '--deep'])).stdout) as VerifyReport;
  assert.equal(before.results[0]!.targets[0]!.status, 'incomplete');
  const plain = JSON.parse((await run(['sync'])).stdout) as SyncReport;
  assert.equal(plain.results[0]!.targets[0]!.action, 'skip', 'without --deep a tag in place is skipped');

  proxy.resetStats();
  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 0, deep.stderr);
  const row = (JSON.parse(deep.stdout) as SyncReport).results[0]!.targets[0]!;
  assert.equal(row.action, 'copied');
  assert.match(row.detail, /tag already in place; its missing parts copied \(1 blob\(s\), 1 manifest\(s\)\)/);
  const puts = proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.includes('/manifests/'));
  assert.deepEqual(puts.map((e) => e.path.replace(/^.*\/manifests\//, '')), [image.childDigests[1]], 'only the missing child manifest is written; never the tag');

  const after = await run(['verify', '--deep']);
  assert.equal(after.exitCode, 0, after.stdout);
  assert.equal(await skopeoDigest(`${dst.host}/cm/app:v1.0.0`), image.digest);
  await skopeoCopyAll(`${dst.host}/cm/app:v1.0.0`, `oci:${join(dir, 'judge')}:v1.0.0`, { preserveDigests: true });

  // Nothing left to refill: a second run writes nothing (a self-mount may check a blob's presence).
  proxy.resetStats();
  const again = JSON.parse((await run(['sync', '--deep'])).stdout) as SyncReport;
  assert.equal(again.results[0]!.targets[0]!.action, 'skip');
  const writes = proxy.stats.log.filter((e) => e.method === 'PUT' || e.method === 'PATCH' || (e.method === 'POST' && !e.path.includes('mount=')));
  assert.deepEqual(writes.map((e) => `${e.method} ${e.path}`), []);
});

test('sync --deep --dry-run is refused in one line pointing at verify --deep', async () => {
  const r = await run(['sync', '--deep', '--dry-run']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--deep copies the missing parts of tags in place, which a dry run does not: `regmirror verify --deep` lists them/);
});
