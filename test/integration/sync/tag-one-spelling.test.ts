// `--tag v1.2.3` asks for a release, not for a spelling of it: a Helm chart published only as
// 1.2.3 (or an image only as v1.2.3) holds that release under its other spelling. The run copied it
// there and yet failed the release job ("source has no tag v1.2.3", exit 1), and verify called the
// audit incomplete (exit 3); README and examples/github/release-sync.yml promise both spellings
// "where the source has them". A release the source lacks in either spelling still fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifestDigest, listTags, seedImage } from '../../harness/seed.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let cfg: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  await seedImage({ url: src.url }, { repository: 'jetstack/chart', tags: ['1.2.3'], format: 'oci', single: true });
  cfg = await writeConfig(await scratchDir('tag-one-spelling'), oneMirrorYaml(src, dst, 'jetstack/chart'));
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('--tag v1.2.3 of a source that has only 1.2.3 copies 1.2.3 and passes; verify agrees', async () => {
  const sync = await runCli(['sync', '-c', cfg, '--tag', 'v1.2.3', '-q']);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.deepEqual(await listTags({ url: dst.url }, 'mirror/chart'), ['1.2.3']);
  assert.equal(await getManifestDigest({ url: dst.url }, 'mirror/chart', '1.2.3'), await getManifestDigest({ url: src.url }, 'jetstack/chart', '1.2.3'));
  const verify = await runCli(['verify', '-c', cfg, '--tag', 'v1.2.3']);
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  assert.doesNotMatch(verify.stdout, /source has no tag/);
});

test('a release the source lacks in both spellings still fails', async () => {
  const sync = await runCli(['sync', '-c', cfg, '--tag', 'v9.9.9', '-q']);
  assert.equal(sync.exitCode, 1);
  assert.match(sync.stdout, /source has no tag v9\.9\.9/);
});
