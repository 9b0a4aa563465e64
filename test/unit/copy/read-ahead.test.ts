// Read-ahead of small blobs (src/copy/read-ahead.ts): on a cold destination the source read
// overlaps the presence check; where blobs turn out present, it stops reading ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry, MemoryRepository } from '../../../src/content/memory.js';
import { countingRepository } from '../../../src/content/counting.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { copyGraph } from '../../../src/copy/graph.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { AbsenceStreaks, COLD_AFTER } from '../../../src/copy/read-ahead.js';
import { buildImage, pushImage } from '../content/fixtures.js';

test('a destination is cold until it answers present, and cold again after a run of absences', () => {
  const streaks = new AbsenceStreaks();
  assert.ok(streaks.cold('ghcr'), 'not heard from yet: cold');
  streaks.answer('ghcr', true);
  assert.ok(!streaks.cold('ghcr'));
  assert.ok(streaks.cold('quay'), 'each destination on its own');
  for (let i = 1; i < COLD_AFTER; i++) streaks.answer('ghcr', false);
  assert.ok(!streaks.cold('ghcr'), `${COLD_AFTER - 1} absences are not enough`);
  streaks.answer('ghcr', false);
  assert.ok(streaks.cold('ghcr'));
  streaks.warm('quay');
  assert.ok(!streaks.cold('quay'), 'a repository that had tags starts warm');
  streaks.warm('ghcr');
  assert.ok(streaks.cold('ghcr'), 'warm() never overrides what the checks said');
});

async function source(tag: string, seed: string) {
  const src = new MemoryRegistry().repository(`jetstack/${seed}`);
  const image = buildImage(seed);
  await pushImage(src, image, tag);
  return { src, image, root: await src.fetchManifest(tag) };
}

/** `inner` whose blob presence checks (HEAD or self-mount) wait until `open()`; `onCheck` hears each. */
function slowChecks(inner: MemoryRepository, onCheck: () => void): MemoryRepository & { open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return Object.assign(Object.create(inner) as MemoryRepository, {
    name: inner.name,
    open,
    exists: async (desc: Descriptor) => {
      onCheck();
      await gate;
      return inner.exists(desc);
    },
    mountBlob: async (desc: Descriptor, from: string) => {
      onCheck();
      await gate;
      return inner.mountBlob(desc, from);
    },
  });
}

test('on a cold destination, every small blob is read from the source while its presence check is still out', async () => {
  const { src, image, root } = await source('v1', 'a');
  const counted = countingRepository(src);
  let checks = 0;
  const dst = slowChecks(new MemoryRepository('d'), () => checks++);
  const copy = copyGraph({ src: counted, ledger: new CopyLedger() }, root, [dst], 'v1', { probeRoot: false });
  for (let i = 0; i < 1000 && counted.calls.fetchBlob !== image.blobs.length; i++) await new Promise((r) => setImmediate(r));
  // A cold repository checks every blob at once (by self-mount), none waiting for a probe.
  assert.equal(checks, image.blobs.length, 'every blob is being checked');
  assert.equal(counted.calls.fetchBlob, image.blobs.length, 'all reads started before any check answered');
  dst.open();
  const r = await copy;
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(counted.calls.fetchBlob, image.blobs.length, 'and none was read twice');
});

test('at a repository that had tags, blobs are read only when a check finds them missing', async () => {
  const { src, image, root } = await source('v1', 'a');
  const dst = countingRepository(new MemoryRepository('d'));
  for (const blob of image.blobs) await dst.pushBlob(blob.desc, blob.bytes);
  const counted = countingRepository(src);
  const ledger = new CopyLedger();
  ledger.absences.warm(dst.name);
  const r = await copyGraph({ src: counted, ledger }, root, [dst], 'v1', { probeRoot: false });
  assert.equal(r.get(dst)?.error, undefined);
  assert.equal(counted.calls.fetchBlob, 0, 'every blob was there: nothing read');
  assert.equal(dst.calls.pushBlob, image.blobs.length, 'only the arrange step pushed');
});

test('blobs a same-registry destination can mount are never read ahead', async () => {
  const registry = new MemoryRegistry();
  const src = registry.repository('jetstack/a');
  const image = buildImage('a');
  await pushImage(src, image, 'v1');
  const counted = countingRepository(src);
  const dst = registry.repository('cert-manager/a');
  const r = await copyGraph({ src: counted, ledger: new CopyLedger() }, await src.fetchManifest('v1'), [dst], 'v1');
  assert.equal(r.get(dst)?.tally.mounted, image.blobs.length);
  assert.equal(counted.calls.fetchBlob, 0);
});
