// sync --deep of floating tags (latest, v1, v1.2, v1.2.3 on one digest): each tag in place walked
// the whole image again, a HEAD per child manifest and blob per tag (40 requests where verify
// --deep spends 22 on the same four tags), and a child manifest they all lacked was PUT by
// whichever tags raced to it, each row claiming the repair. The walk below a manifest is now done
// once per (target repository, digest) in a run: the other tags share its outcome.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import type { SyncReport } from '../../../src/report/model.js';

const TAGS = ['latest', 'v1', 'v1.2', 'v1.2.3'];
let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;
let config: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  image = (await seedImage({ url: src.url }, { repository: 'up/app', tags: TAGS, format: 'oci', platforms: 3, sameImageForAllTags: true }))[0]!;
  proxy = await proxyFor(dst);
  const dir = await scratchDir('deep-refill-twins');
  config = await writeConfig(dir, `version: 1\ndefaults:\n  targets: [${dst.host}/mirror]\n  referrers: false\n${registriesYaml([src, dst])}images:\n  - source: ${src.host}/up/app\n`);
  const sync = await runCli(['sync', '-c', config, '--no-progress']);
  assert.equal(sync.exitCode, 0, sync.stderr);
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

const run = (args: string[]) => runCli([...args, '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--format', 'json', '--no-progress']);
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
