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

test('durations read as a person says them', () => {
  assert.deepEqual([formatDuration(42.4), formatDuration(435), formatDuration(7380)], ['42s', '7m15s', '2h03m']);
});
