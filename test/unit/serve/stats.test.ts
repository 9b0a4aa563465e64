import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, emptyUnkept, parseEvents, releaseLine, tallyUnkept, withUnkept } from '../../../src/serve/stats.js';
import { renderStatsHtml } from '../../../src/report/stats-html.js';
import type { GatewayEvent } from '../../../src/serve/events.js';

const ev = (o: Partial<GatewayEvent>): GatewayEvent => ({
  time: '2026-05-01T10:00:00Z', image: 'cert-manager-controller', tag: 'v1.16.0', digest: 'sha256:x', mediaType: '', method: 'GET',
  kind: 'pull', backend: 'quay.io', status: 200, client: 'containerd', durationMs: 1, ...o,
});

test('release lines', () => {
  assert.equal(releaseLine('v1.16.3'), 'v1.16');
  assert.equal(releaseLine('1.16.0'), '1.16');
  assert.equal(releaseLine('v1.17.0-rc.1'), 'v1.17');
  assert.equal(releaseLine('latest'), 'latest');
  assert.equal(releaseLine(''), '(by digest)');
});

test('pulls per release per day, shares per line; repeats, failures and checks are not pulls', () => {
  const s = aggregate([
    ev({}), ev({ time: '2026-05-02T01:00:00Z' }), ev({ tag: 'v1.15.2' }), ev({ repeat: true }), ev({ status: 503, backend: 'ghcr.io' }),
    ev({ kind: 'check', method: 'HEAD' }), ev({ kind: 'blob', backend: 'ghcr.io' }), ev({ backend: 'cache', cache: 'hit' }),
  ]);
  assert.deepEqual(s.totals, { pulls: 4, repeats: 1, checks: 1, blobs: 1, binaries: 0, cacheHits: 1 });
  assert.deepEqual(s.days, ['2026-05-01', '2026-05-02']);
  assert.equal(s.pulls.get('cert-manager-controller')!.get('v1.16.0')!.get('2026-05-01'), 2);
  assert.deepEqual(s.lines.get('cert-manager-controller'), [['v1.16', 3], ['v1.15', 1]]);
  assert.deepEqual(s.backends.get('ghcr.io'), { requests: 2, errors: 1, stale: 0 });
  assert.equal(s.backends.has('cache'), false);
  const page = renderStatsHtml(s);
  assert.match(page, /<b id="total-pulls">4<\/b>/);
  assert.match(page, /75\.0 %/);
  assert.doesNotMatch(page, /https?:/);
  assert.doesNotMatch(page, /\b(src|href)\s*=/);
});

// The page said "1053 version checks" where /metrics said 53: a thousand HEADs of tags nobody
// published (404), or asked while every backend was down (503), were counted as checks of a release.
test('a failed manifest request is no version check, as in /metrics', () => {
  const s = aggregate([
    ev({ kind: 'check', method: 'HEAD' }), ev({ kind: 'check', method: 'HEAD', tag: 'no-such-tag', status: 404 }),
    ev({ kind: 'check', tag: 'v1.16.0', status: 503, backend: '' }),
  ]);
  assert.equal(s.totals.checks, 1);
});

test('an events file with junk lines', () => {
  const { events, skipped } = parseEvents(`${JSON.stringify(ev({}))}\nnot json\n{"a":1}\n\n`);
  assert.equal(events.length, 1);
  assert.equal(skipped, 2);
});

test('what the page shows is escaped', () => {
  const page = renderStatsHtml(aggregate([ev({ image: '<script>x</script>', tag: '"><img>' })], { host: '<b>' }));
  assert.doesNotMatch(page, /<script>x|<img>|<b>:/);
});

test('a verify report\'s source digests stand in where the lock has none', async () => {
  const { overlay, recordFromReport } = await import('../../../src/serve/record.js');
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  const report = { version: 1 as const, generatedAt: '2026-05-01T00:00:00Z', summary: { repositories: 1, tags: 2, targets: 1, inSync: 1, drift: 0, errors: 0 },
    results: [{ source: 'q.io/j/a', tag: 'v1', sourceDigest: d('1'), targets: [] }, { source: 'q.io/j/a', tag: 'v2', sourceDigest: d('2'), targets: [] }, { source: 'q.io/j/a', tag: 'x', sourceDigest: null, targets: [] }] };
  const fromReport = recordFromReport(report);
  assert.deepEqual(Object.keys(fromReport.images['q.io/j/a']!), ['v1', 'v2']);
  const lock = { version: 1 as const, images: { 'q.io/j/a': { v1: { digest: d('9'), recordedAt: '2025-01-01T00:00:00Z' } } } };
  const both = overlay(lock, fromReport);
  assert.equal(both.images['q.io/j/a']!.v1!.digest, d('9'), 'the lock wins');
  assert.equal(both.images['q.io/j/a']!.v2!.digest, d('2'));
});

test('the live page counts the events it does not keep as aggregate counts them', () => {
  const unkeptEvents = [ev({ kind: 'blob', backend: 'ghcr.io' }), ev({ kind: 'blob', backend: 'quay.io', status: 502 }), ev({ kind: 'other', backend: '' })];
  const kept = [ev({}), ev({ kind: 'check', method: 'HEAD', backend: 'ghcr.io' })];
  const t = emptyUnkept();
  for (const e of unkeptEvents) tallyUnkept(t, e);
  const live = withUnkept(aggregate(kept), t);
  const whole = aggregate([...kept, ...unkeptEvents]);
  assert.deepEqual(live.totals, whole.totals);
  assert.deepEqual([...live.backends].sort(), [...whole.backends].sort());
});

// gateway5 hunt: 50 tags × 3 images over 30 days, /-/stats in headless Chromium at 1280 and 390 px.
test('a month of pulls: each table scrolls in its own box, the total beside the tag, the device\'s viewport', () => {
  const events = Array.from({ length: 30 }, (_, d) => ev({ time: `2026-05-${String(d + 1).padStart(2, '0')}T10:00:00Z` }));
  const page = renderStatsHtml(aggregate(events));
  assert.match(page, /<meta name="viewport" content="width=device-width, initial-scale=1">/, 'a phone lays it out at its own width, not 980 px shrunk');
  assert.match(page, /<div class="wide"><table><thead><tr><th>tag<\/th><th>total<\/th><th>2026-05-01<\/th>/, 'the total comes before the days');
  assert.match(page, /<tr><th>v1\.16\.0<\/th><td class="n" data-pulls="cert-manager-controller:v1\.16\.0">30<\/td><td class="n">1<\/td>/);
  assert.match(page, /\.wide\{overflow-x:auto/, 'the box scrolls, not the page');
});

test('releases are listed in version order, v1.9 before v1.10', () => {
  const page = renderStatsHtml(aggregate(['v1.10.0', 'v1.9.1', 'latest', 'v1.9.0', 'v1.2.0'].map((tag) => ev({ tag }))));
  const order = [...page.matchAll(/<tr><th>([^<]+)<\/th><td class="n" data-pulls/g)].map((m) => m[1]);
  assert.deepEqual(order, ['v1.2.0', 'v1.9.0', 'v1.9.1', 'v1.10.0', 'latest']);
});

// A download still going when the shutdown's grace period ran out was logged 502 with its
// backend's name, and the page counted it as that (healthy) backend's error.
test('a request the gateway\'s shutdown cut off is no error of its backend', () => {
  const cut = ev({ kind: 'blob', backend: 'ghcr.io', status: 503, cutOff: 'shutdown' });
  const s = aggregate([cut, ev({ kind: 'blob', backend: 'ghcr.io', status: 502 })]);
  assert.deepEqual(s.backends.get('ghcr.io'), { requests: 2, errors: 1, stale: 0 });
  const t = emptyUnkept();
  tallyUnkept(t, cut);
  assert.deepEqual(t.backends.get('ghcr.io'), { requests: 1, errors: 0, stale: 0 });
});
