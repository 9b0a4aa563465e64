// verify --deep of a source whose storage lost a blob (a garbage collection, a bucket's lifecycle
// rule): a tag not yet at the target was said `missing … next: run regmirror sync`, and that sync
// then failed on the source's BLOB_UNKNOWN (verify5). The row stays `missing` (drift, exit 1), its
// detail names the part the source lacks, and the advice says to repair the source first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { VerifyReport } from '../../../src/report/model.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let config: string;
let lostBlob: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  const [v1, v2] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v2.0.0'], format: 'oci', platforms: 2 })) as [SeededImage, SeededImage];
  lostBlob = v2.blobDigests.find((d) => !v1.blobDigests.includes(d))!;
  const hex = lostBlob.slice('sha256:'.length);
  await rm(join(src.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex), { recursive: true });
  config = await writeConfig(await scratchDir('deep-source-lost'), oneMirrorYaml(src, dst, 'jetstack/app', 'cm'));
});

after(() => Promise.all([src, dst].map((r) => r && destroyRegistry(r))));

test('verify --deep: a missing tag whose source lost a blob says so, and the advice is to repair the source, not to sync', { timeout: 120_000 }, async () => {
  const json = await runCli(['verify', '--deep', '-c', config, '--no-progress', '--format', 'json']);
  assert.equal(json.exitCode, 1, json.stderr + json.stdout);
  const rows = (JSON.parse(json.stdout) as VerifyReport).results.map((r) => [r.tag, r.targets[0]!.status, r.targets[0]!.detail]);
  assert.deepEqual(rows, [
    ['v1.0.0', 'missing', 'tag absent at the target'],
    ['v2.0.0', 'missing', `tag absent at the target, and the source lacks blob ${lostBlob} of it (lost from its storage): no sync can copy it until the source holds the image whole again`],
  ]);
  const table = await runCli(['verify', '--deep', '-c', config, '--no-progress']);
  assert.match(table.stdout, /\nnext: run `regmirror sync` to copy missing tags; the source lacks parts of a missing tag \(named in the detail\): repair the source first \(push the image to it again\), then `regmirror sync`\n/);
  // What the advice foresees: sync copies the whole tag and fails on the one the source lost.
  const sync = await runCli(['sync', '-c', config, '--no-progress']);
  assert.equal(sync.exitCode, 1, sync.stdout);
  assert.match(sync.stdout, new RegExp(`v2\\.0\\.0 .* failed .*blobs/${lostBlob}: not found \\(BLOB_UNKNOWN`));
});
