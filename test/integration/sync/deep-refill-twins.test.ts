// sync --deep of floating tags (latest, v1, v1.2, v1.2.3 on one digest): each tag in place walked
// the whole image again, a HEAD per child manifest and blob per tag (40 requests where verify
// --deep spends 22 on the same four tags), and a child manifest they all lacked was PUT by
// whichever tags raced to it, each row claiming the repair. The walk below a manifest is now done
// once per (target repository, digest) in a run: the other tags share its outcome.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { deepBed, type DeepBed } from './deep-bed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import type { SyncReport } from '../../../src/report/model.js';

const TAGS = ['latest', 'v1', 'v1.2', 'v1.2.3'];
let bed: DeepBed;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;

before(async () => {
  bed = await deepBed('deep-refill-twins', { repository: 'up/app', tags: TAGS, format: 'oci', platforms: 3, sameImageForAllTags: true }, 'mirror');
  ({ dst, proxy, image } = bed);
});

after(() => bed?.close());

const run = (args: string[]) => bed.run(args);
const requests = () => proxy.stats.log.length;

test('sync --deep walks an image shared by several tags once, and repairs it once', { timeout: 180_000 }, async () => {
  proxy.resetStats();
  assert.equal((await run(['verify', '--deep'])).exitCode, 0);
  const audit = requests();
  proxy.resetStats();
  assert.equal((await run(['sync', '--deep'])).exitCode, 0);
  assert.ok(requests() <= audit, `a whole image costs sync --deep ${requests()} requests, verify --deep ${audit}`);

  await deleteManifest({ url: dst.url }, 'mirror/app', image.childDigests[2]!);
  proxy.resetStats();
  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 0, deep.stderr);
  const puts = proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.includes('/manifests/')).map((e) => e.path.replace(/^.*\/manifests\//, ''));
  assert.deepEqual(puts, [image.childDigests[2]], 'the missing child is written once, no tag written');
  const actions = (JSON.parse(deep.stdout) as SyncReport).results.map((r) => r.targets[0]!.action).sort();
  assert.deepEqual(actions, ['copied', 'skip', 'skip', 'skip'], 'one row says it repaired the image');
  assert.equal((await run(['verify', '--deep'])).exitCode, 0);
  for (const tag of TAGS) assert.equal(await skopeoDigest(`${dst.host}/mirror/app:${tag}`), image.digest);
});
