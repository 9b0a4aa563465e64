// A layout tag whose manifest misstates a blob's size (containers/image's
// delete_image_multiple_images, tag 1.0.0: a config one byte off, the same config its other tags
// describe rightly) fails on the first sync, and must fail on the second as well. It did not: the
// target held the blob by then (uploaded for the tags that describe it rightly), so neither engine
// read it again, and the manifest went in: "copied", `verify` in sync, and an image no client can
// pull (`expected 585 bytes, got 584` on the way back into a layout). skopeo judges the registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const FIXTURE = join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'containers-image-layout', 'delete_image_multiple_images');
const MISSTATED = /blob sha256:913cf3a39d37[0-9a-f]+: expected 585 bytes, got 584/;

let registry: RunningRegistry;
let dir: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('misstated-size-warm');
  await cp(FIXTURE, join(dir, 'src', 'multi'), { recursive: true });
});
after(async () => {
  await destroyRegistry(registry);
  await rm(dir, { recursive: true, force: true });
});

for (const engine of ['native', 'skopeo'] as const) {
  test(`engine: ${engine}: the tag misstating its config's size fails on the first sync and on the second, and never reaches the registry`, { timeout: 120_000 }, async () => {
    const config = await writeConfig(join(dir, engine), `version: 1
defaults:
  targets: [${registry.host}/${engine}]
  engine: ${engine}
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'multi')}
`);
    for (const run of ['cold', 'warm']) {
      const report = join(dir, `${engine}-${run}.json`);
      const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', report]);
      assert.equal(sync.exitCode, 1, `${run}: ${sync.stderr}`);
      const rows = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results;
      const bad = rows.find((r) => r.tag === '1.0.0')?.targets[0];
      assert.equal(bad?.action, 'failed', `${run}: 1.0.0 is ${JSON.stringify(bad)}`);
      assert.match(bad.detail, MISSTATED, run);
      // The tags describing the same config rightly are copied, then skipped.
      const others = rows.filter((r) => r.tag !== '1.0.0').map((r) => r.targets[0]?.action);
      assert.deepEqual([...new Set(others)], [run === 'cold' ? 'copied' : 'skip'], run);
    }
    await assert.rejects(skopeoDigest(`${registry.host}/${engine}/multi:1.0.0`), /manifest unknown/);
    assert.equal(await skopeoDigest(`${registry.host}/${engine}/multi:3`), 'sha256:93cbd11a4f41467a0409b975499ae711bc6f8222de38d9f1b5a4097583195ad5');
  });
}
