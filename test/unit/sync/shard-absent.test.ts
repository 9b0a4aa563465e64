// `sync --tag v9.9.9 --shard k/n` over a source that lacks v9.9.9: every shard reported the same
// "source has no tag v9.9.9" row (and failed its job), though SPEC's shards are disjoint over the
// (repository, tag) items. Only the shard that (repository, v9.9.9) hashes to reports it now, as
// it would have copied that tag; together the shards still report it once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync } from '../../../src/sync/run.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

test('a --tag the source lacks is reported by exactly one shard', async () => {
  const { opener } = memoryStores();
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  await pushImage(src, buildImage('a'), 'v1.0.0');
  const rows: string[][] = [];
  for (const index of [1, 2, 3, 4]) {
    const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(opener), tags: ['v1.0.0', 'v9.9.9'], shard: { index, count: 4 } });
    rows.push(report.results.map((r) => `${r.tag} ${r.targets.map((t) => t.action).join('/')}`));
  }
  assert.deepEqual(rows.flat().sort(), ['v1.0.0 copied', 'v9.9.9 failed'], JSON.stringify(rows));
});
