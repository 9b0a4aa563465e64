// Rows failed before any copy (a tag the source lacks, a source whose tags cannot be listed) reach
// the CLI as lines as soon as they are known (onFailedEarly), not as progress steps: with the report
// going to a file or out as JSON, stderr said nothing about them (a chaos run found it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync } from '../../../src/sync/run.js';
import type { SyncResult } from '../../../src/report/model.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

test('a --tag the source lacks is told early, and is no progress step', async () => {
  const { opener } = memoryStores();
  await pushImage(opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull'), buildImage('a'), 'v1.0.0');
  const early: SyncResult[] = [];
  const steps: SyncResult[] = [];
  await runSync(oneImageWork(['mirror.test']), { ...syncOptions(opener), tags: ['v1.0.0', 'v9.9.9'], onFailedEarly: (r) => early.push(r), onResult: (r) => steps.push(r) });
  assert.deepEqual(early.map((r) => r.tag), ['v9.9.9']);
  assert.match(early[0]!.targets[0]!.detail, /source has no tag v9\.9\.9/);
  assert.deepEqual(steps.map((r) => r.tag), ['v1.0.0']);
});

test('a source whose tags cannot be listed is told early', async () => {
  const { opener } = memoryStores((ref, repo) => {
    if (ref.repository === 'jetstack/app') repo.listTags = () => Promise.reject(new Error('quay.test unreachable: connection refused'));
    return repo;
  });
  const early: SyncResult[] = [];
  await runSync(oneImageWork(['mirror.test']), { ...syncOptions(opener), onFailedEarly: (r) => early.push(r) });
  assert.equal(early.length, 1);
  assert.ok(early[0]!.targets.every((t) => t.action === 'failed' && /connection refused/.test(t.detail)), JSON.stringify(early));
});
