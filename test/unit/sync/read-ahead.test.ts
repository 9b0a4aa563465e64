// Sync seeds read-ahead from the target listings: a new target repository reads every small blob
// alongside its check; one that already had tags reads only the blobs its checks find missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countingRepository } from '../../../src/content/counting.js';
import { runSync } from '../../../src/sync/run.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

async function syncReads(targetHadTags: boolean): Promise<{ reads: number; blobs: number }> {
  const { opener, hosts } = memoryStores((ref, repo) => (ref.registry === 'quay.test' ? (source ??= countingRepository(repo)) : repo));
  let source: ReturnType<typeof countingRepository> | undefined;
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  const image = buildImage('new');
  await pushImage(src, image, 'v2.0.0');
  // The target holds the image's blobs (as an earlier release sharing its layers would), untagged or under a tag.
  const target = opener.open({ scheme: 'registry', registry: 'ghcr.test', repository: 'cert-manager/app' }, 'push');
  for (const blob of image.blobs) await target.pushBlob(blob.desc, blob.bytes);
  if (targetHadTags) await pushImage(target, buildImage('old'), 'v1.0.0');
  source!.reset();
  const { report } = await runSync(oneImageWork(['ghcr.test']), syncOptions(opener));
  assert.equal(report.summary.failed, 0);
  assert.ok(hosts.get('ghcr.test'));
  return { reads: source!.calls.fetchBlob!, blobs: image.blobs.length };
}

test('a target repository that had tags: no blob it holds is read from the source', async () => {
  const { reads } = await syncReads(true);
  assert.equal(reads, 0);
});

test('a target repository without tags is cold: its small blobs are read alongside their checks', async () => {
  const { reads, blobs } = await syncReads(false);
  assert.equal(reads, blobs, 'read ahead, then thrown away: the bound on what a cold guess wastes');
});
