// A release workflow's `--tag v1.15.0 --tag latest` over every item, one of which (the Helm chart)
// has no `latest`: that image failed ("source has no tag latest") and the whole sync exited 1
// (release2 hunt). A floating tag another source of the run has is now a warning there; a release
// tag missing at one image, and a tag no source has, still fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageWork } from '../../../src/config/workitems.js';
import { runSync } from '../../../src/sync/run.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

/** Two items: jetstack/app (as oneImageWork) and jetstack/chart, each to mirror.test. */
function twoItems(): ImageWork[] {
  const [app] = oneImageWork(['mirror.test']);
  const source = { scheme: 'registry' as const, registry: 'quay.test', repository: 'jetstack/chart' };
  const ref = { scheme: 'registry' as const, registry: 'mirror.test', repository: 'cert-manager/chart' };
  const chart: ImageWork = { ...app!, index: 1, source, sourceDisplay: 'quay.test/jetstack/chart', item: { ...app!.item, source, sourceText: 'quay.test/jetstack/chart', name: 'chart' }, targets: [{ ref, display: 'mirror.test/cert-manager/chart' }] };
  return [app!, chart];
}

async function run(tags: string[]) {
  const { opener } = memoryStores();
  const open = (repository: string) => opener.open({ scheme: 'registry', registry: 'quay.test', repository }, 'pull');
  await pushImage(open('jetstack/app'), buildImage('a'), 'v1.15.0');
  await pushImage(open('jetstack/app'), buildImage('a'), 'latest');
  await pushImage(open('jetstack/app'), buildImage('b'), 'v1.15.1');
  await pushImage(open('jetstack/chart'), buildImage('c'), 'v1.15.0');
  const warnings: string[] = [];
  const { report } = await runSync(twoItems(), { ...syncOptions(opener), tags, onWarning: (m) => warnings.push(m) });
  return { rows: report.results.map((r) => `${r.source.split('/').pop()} ${r.tag} ${r.targets.map((t) => t.action).join('/')}`).sort(), warnings };
}

test('a floating --tag one image lacks and another has: a warning there, not a failure', async () => {
  const { rows, warnings } = await run(['v1.15.0', 'latest']);
  assert.deepEqual(rows, ['app latest copied', 'app v1.15.0 copied', 'chart v1.15.0 copied']);
  assert.deepEqual(warnings, ['quay.test/jetstack/chart: --tag latest is not at this source (other images of the run have it): nothing to do for it here']);
});

test('a release --tag one image lacks, and a tag no image has, still fail where asked', async () => {
  assert.deepEqual((await run(['v1.15.1'])).rows, ['app v1.15.1 copied', 'chart v1.15.1 failed']);
  assert.deepEqual((await run(['edge'])).rows, ['app edge failed', 'chart edge failed']);
});
