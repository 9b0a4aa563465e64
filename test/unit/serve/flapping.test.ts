import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlapCounter, FLAPPING_WINDOW_MS } from '../../../src/serve/flapping.js';

test('outages are counted per host within the window', () => {
  const f = new FlapCounter();
  assert.equal(f.began('a', 0), 1);
  assert.equal(f.began('a', 4000), 2);
  assert.equal(f.began('b', 4000), 1, 'another host counts apart');
  assert.equal(f.began('a', 8000), 3);
  assert.equal(f.began('a', 4000 + FLAPPING_WINDOW_MS), 2, 'outages older than the window are forgotten');
});
