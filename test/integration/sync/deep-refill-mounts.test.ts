// sync --deep into the source's own registry (a mirror namespace beside the upstream one): a blob
// there is placed by a mount from the source repository, which distribution answers 201 whether
// the blob was missing or already linked. Counted as a repair, every tag in place read "copied
// (its missing parts copied (N blob(s)…))" on every run, the second one too, with a POST per
// blob. Below a root in place each blob is asked for by HEAD first, as verify --deep does, so
// only what was missing is mounted, and a whole image is a skip that writes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningRegistry } from '../../harness/registry.js';
import { deleteBlob, getManifest, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { deepBed, type DeepBed } from './deep-bed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import type { SyncReport } from '../../../src/report/model.js';

let bed: DeepBed;
let reg: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;

before(async () => {
  bed = await deepBed('deep-refill-mounts', { repository: 'up/app', tags: ['v1'], format: 'oci', platforms: 2 }, 'mirror', { sameRegistry: true });
  ({ dst: reg, proxy, image } = bed);
});

after(() => bed?.close());

const run = (args: string[]) => bed.run(args);
const posts = () => proxy.stats.log.filter((e) => e.method === 'POST' || e.method === 'PUT' || e.method === 'PATCH').map((e) => `${e.method} ${e.path}`);

test('sync --deep within one registry mounts only the blob that is missing, and a second run is a skip', { timeout: 180_000 }, async () => {
  const child = await getManifest({ url: reg.url }, 'mirror/app', image.childDigests[0]!);
  const layer = (JSON.parse(child!.bytes.toString('utf8')) as { layers: { digest: string }[] }).layers[0]!.digest;
  await deleteBlob({ url: reg.url }, 'mirror/app', layer);

  proxy.resetStats();
  const deep = await run(['sync', '--deep']);
  assert.equal(deep.exitCode, 0, deep.stderr);
  const row = (JSON.parse(deep.stdout) as SyncReport).results[0]!.targets[0]!;
  assert.equal(row.action, 'copied');
  assert.match(row.detail, /its missing parts copied \(1 blob\(s\), 0 manifest\(s\)\)/, 'one blob was missing, not every blob of the image');
  assert.deepEqual(posts().map((p) => p.replace(/\?.*$/, '')), ['POST /v2/mirror/app/blobs/uploads/'], 'one mount, of the missing layer');
  assert.equal((await run(['verify', '--deep'])).exitCode, 0);
  assert.equal(await skopeoDigest(`${reg.host}/mirror/app:v1`), image.digest);

  proxy.resetStats();
  const again = await run(['sync', '--deep']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as SyncReport).results[0]!.targets[0]!.action, 'skip', 'nothing was missing');
  assert.deepEqual(posts(), [], 'a whole image in place is only read');
});
