// engine: skopeo over other projects' OCI layouts (test/fixtures/thirdparty): go-containerregistry's
// test layouts have tags skopeo cannot read (a Docker manifest list, a descriptor media type in
// index.json), which `plan` must call failed in sync's own words, since sync fails them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncReport } from '../../../src/report/model.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

const GGCR = join(repoRoot(), 'test', 'fixtures', 'thirdparty', 'ggcr-layout');
/** The tags of ggcr's layouts skopeo 1.9 skips in index.json, and the media type each entry has. */
const UNREADABLE: Record<string, string> = {
  'test_index:2': 'application/vnd.oci.descriptor.v1+json',
  'test_index:4': 'application/vnd.docker.distribution.manifest.list.v2+json',
  'test_gc_index:4': 'application/vnd.docker.distribution.manifest.list.v2+json',
};

let registry: RunningRegistry;
let dir: string;

before(async () => {
  registry = await startRegistry({ tls: true });
  dir = await scratchDir('thirdparty-skopeo');
  for (const name of ['test_index', 'test_gc_index']) await cp(join(GGCR, name), join(dir, 'src', name), { recursive: true });
});
after(async () => {
  await destroyRegistry(registry);
});

/** `layout:tag` → [action, detail] for every row of a report. */
function rows(report: SyncReport): Map<string, [string, string]> {
  return new Map(report.results.map((r) => [`${r.source.split('/').pop()}:${r.tag}`, [r.targets[0]!.action, r.targets[0]!.detail] as [string, string]]));
}

test('plan with engine: skopeo calls the layout tags skopeo cannot read failed, with the line sync fails them with', { timeout: 600_000 }, async () => {
  const config = await writeConfig(join(dir, 'plan'), `version: 1
defaults:
  targets: [${registry.host}/mirror]
  engine: skopeo
${registriesYaml([registry])}images:
  - source: oci:${join(dir, 'src', 'test_index')}
  - source: oci:${join(dir, 'src', 'test_gc_index')}
`);
  const plan = await runCli(['plan', '-c', config, '--no-progress', '--format', 'json', '-o', join(dir, 'plan.json')], { timeoutMs: 300_000 });
  assert.equal(plan.exitCode, 0, `${plan.stdout}\n${plan.stderr}`);
  const planned = rows(JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as SyncReport);
  const sync = await runCli(['sync', '-c', config, '--no-progress', '--report', join(dir, 'sync.json')], { timeoutMs: 300_000 });
  assert.equal(sync.exitCode, 1, `${sync.stdout}\n${sync.stderr}`);
  const synced = rows(JSON.parse(await readFile(join(dir, 'sync.json'), 'utf8')) as SyncReport);

  assert.deepEqual([...planned.keys()].sort(), [...synced.keys()].sort());
  for (const [where, [action, detail]] of synced) {
    const mediaType = UNREADABLE[where];
    if (!mediaType) {
      assert.equal(action, 'copied', `${where}: ${detail}`);
      assert.deepEqual(planned.get(where), ['copy', ''], where);
      continue;
    }
    assert.equal(action, 'failed', where);
    assert.match(detail, new RegExp(`engine: skopeo cannot read tag ${where.split(':')[1]}, whose index\\.json entry has media type "${mediaType.replace(/[.+]/g, '\\$&')}"`));
    assert.deepEqual(planned.get(where), ['failed', detail], `${where}: planned as sync failed it`);
  }
});
