// The progress figures: done/total, bytes, rate and ETA, from a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, progressLine } from '../../../src/ui/progress-line.js';

test('a backfill a fifth done after 60 s shows its total, bytes, rates and a 4-minute ETA', () => {
  const line = progressLine({ label: 'synced', done: 300, total: 1500, bytes: 600 * 1024 * 1024, startedAt: 0 }, 60_000);
  assert.equal(line, 'synced 300/1500 (image, tag) · 600.0 MiB · 10.0 MiB/s · 5.0 items/s · ETA 4m00s');
});

test('before discovery there is no total; at the end no ETA; done past the total raises it', () => {
  assert.equal(progressLine({ label: 'checked', done: 0, total: 0, bytes: 0, startedAt: 0 }, 1000), 'checked 0 (image, tag)');
  assert.equal(progressLine({ label: 'checked', done: 4, total: 4, bytes: 0, startedAt: 0 }, 2000), 'checked 4/4 (image, tag) · 2.0 items/s');
  assert.match(progressLine({ label: 'checked', done: 5, total: 4, bytes: 0, startedAt: 0 }, 2000), /^checked 5\/5 /);
  assert.equal(progressLine({ label: 'published', unit: '(binary, tag)', done: 1, total: 2, bytes: 0, startedAt: 0 }, 2000), 'published 1/2 (binary, tag) · 0.5 items/s · ETA 2s');
});

test('a byte total known before the first item (publish\'s release files) gives bytes of the total and an ETA while 0/1 is done', () => {
  // publish3 hunt: 360 MiB of cmctl read 'published 0/1 (binary, tag) · 230.9 MiB · 22.9 MiB/s', no total and no ETA, for all of its upload.
  const MiB = 1024 * 1024;
  const at = (bytes: number, done = 0) => progressLine({ label: 'published', unit: '(binary, tag)', done, total: 1, bytes, totalBytes: 360 * MiB, startedAt: 0 }, 10_000);
  assert.equal(at(90 * MiB), 'published 0/1 (binary, tag) · 90.0 MiB of 360.0 MiB · 9.0 MiB/s · ETA 30s');
  assert.equal(at(360 * MiB), 'published 0/1 (binary, tag) · 360.0 MiB of 360.0 MiB · 36.0 MiB/s', 'every byte read: the uploads finishing have no byte ETA');
  assert.equal(at(120 * MiB, 1), 'published 1/1 (binary, tag) · 120.0 MiB of 360.0 MiB · 12.0 MiB/s · 0.1 items/s', 'done (targets held some blobs): no ETA');
  // A rerun whose other entry every target held: its bytes are never read, and the last ones left read 'ETA 0s'.
  const short = progressLine({ label: 'published', unit: '(binary, tag)', done: 1, total: 2, bytes: 360 * MiB, totalBytes: 360 * MiB + 1400, startedAt: 0 }, 20_000);
  assert.equal(short, 'published 1/2 (binary, tag) · 360.0 MiB of 360.0 MiB · 18.0 MiB/s · 0.1 items/s · ETA 20s');
});

test('durations read as a person says them', () => {
  assert.deepEqual([formatDuration(42.4), formatDuration(435), formatDuration(7380)], ['42s', '7m15s', '2h03m']);
});
