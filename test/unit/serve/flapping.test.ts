import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlapCounter, FLAPPING_WINDOW_MS, LONG_OUTAGE_MS, sayBack } from '../../../src/serve/flapping.js';

test('outages are counted per host within the window', () => {
  const f = new FlapCounter();
  assert.equal(f.began('a', 0), 1);
  assert.equal(f.began('a', 4000), 2);
  assert.equal(f.began('b', 4000), 1, 'another host counts apart');
  assert.equal(f.began('a', 8000), 3);
  assert.equal(f.began('a', 4000 + FLAPPING_WINDOW_MS), 2, 'outages older than the window are forgotten');
});

test('a failure is said down; the third outage within the window is said flapping once, and its return not', () => {
  const f = new FlapCounter();
  let known = f.failed('a', undefined, '502', 0);
  assert.deepEqual(known.news, { say: 'down' });
  assert.deepEqual(f.failed('a', known.outage, '502', 1000).news, { say: 'none' }, 'the same reason again is no news');
  assert.ok(sayBack(known.outage, 2000));
  known = f.failed('a', undefined, '502', 4000);
  assert.deepEqual(known.news, { say: 'down' });
  known = f.failed('a', undefined, '502', 8000);
  assert.deepEqual(known.news, { say: 'flapping', outages: 3 });
  assert.deepEqual(f.failed('a', known.outage, 'reset', 9000).news, { say: 'none' }, 'a flapping host changing its reason stays quiet');
  assert.equal(sayBack(known.outage, 10_000), false, 'a short outage of a flapping host ends unsaid');
});

test('a flapping host down for longer than its short outages is said down once, and back', () => {
  // A real outage that began while the host flapped was said by nobody until it ended.
  const f = new FlapCounter();
  for (const t of [0, 4000]) f.failed('a', undefined, '502', t);
  let { outage } = f.failed('a', undefined, 'refused', 8000);
  assert.equal(outage.quiet, true);
  assert.deepEqual(f.failed('a', outage, 'refused', 8000 + LONG_OUTAGE_MS - 1).news, { say: 'none' });
  const long = f.failed('a', outage, 'refused', 8000 + LONG_OUTAGE_MS);
  assert.deepEqual(long.news, { say: 'long' });
  outage = long.outage;
  assert.deepEqual(f.failed('a', outage, 'refused', 8000 + LONG_OUTAGE_MS + 1000).news, { say: 'none' }, 'said once');
  assert.ok(sayBack(outage, 8000 + LONG_OUTAGE_MS + 5000));
});
