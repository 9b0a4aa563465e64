import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { MIN_RATE, Throttle, parseRateLimit, withThrottle } from '../../../src/registry/http/throttle.js';
import type { HttpRequest, HttpResponse } from '../../../src/registry/http/types.js';
import { withRetry } from '../../../src/registry/http/retry.js';

describe('parseRateLimit', () => {
  it('reads Docker Hub\'s limit;w=window', () => {
    assert.deepEqual(parseRateLimit('100;w=21600'), { limit: 100, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimit(' 40 ; w = 5'), { limit: 40, windowSeconds: 5 });
    assert.deepEqual(parseRateLimit('10'), { limit: 10, windowSeconds: 1 });
  });
  it('ignores what it cannot use', () => {
    assert.equal(parseRateLimit(undefined), undefined);
    assert.equal(parseRateLimit('lots'), undefined);
    assert.equal(parseRateLimit('0;w=5'), undefined);
  });
});

describe('Throttle', () => {
  it('does not pace a host that never answered 429', () => {
    const t = new Throttle();
    for (let i = 0; i < 100; i++) assert.equal(t.reserve(1000), 0);
  });

  it('takes the registry\'s own rate (with a margin) and pauses for its window', () => {
    const t = new Throttle();
    t.reserve(0);
    assert.equal(t.limited(0, 0, '40;w=5'), true);
    assert.equal(t.rate, 0.9 * 40 / 5);
    assert.equal(t.reserve(0), 5000, 'paused for the window');
    assert.equal(Math.round(t.reserve(0)), 5000 + Math.round(1000 / t.rate), 'then paced');
  });

  it('halves what it observed when the registry says nothing, and the pause doubles on each cut in a row', () => {
    const t = new Throttle();
    for (let i = 0; i < 20; i++) t.reserve(i * 100); // 20 requests in 2 s: 10/s
    assert.equal(t.limited(t.generation, 2000), true);
    assert.equal(t.rate, 5);
    assert.equal(t.reserve(2000), 1000);
    assert.equal(t.limited(t.generation, 3000), true);
    assert.equal(t.rate, 2.5);
    assert.equal(t.reserve(3000), 2000, 'paused 2 s from the second cut');
  });

  it('observes the pace over the last 2 s however many requests went before (the starts dropped in bulk)', () => {
    const t = new Throttle();
    for (let i = 0; i < 50_000; i++) t.reserve(i * 0.25); // 4000/s for 12.5 s
    assert.equal(t.limited(t.generation, 12_500), true);
    assert.equal(t.rate, 2000.25, 'the 8001 starts from 10,500 ms on (4000.5/s) halved, not the run\'s 50,000');
  });

  it('a 429 in the first moments of a run halves the pace it met, not a full window\'s average', () => {
    // Found by a seeded fault hunt: one 429 without Retry-After to the second request of a `plan`
    // (its tag list, 10 ms in) was read as 2 requests over the whole 2 s window, 1/s, halved to the
    // 0.5/s floor: a plan of 8 tags took 51 s instead of 0.4 s, and a backfill would crawl for hours.
    const t = new Throttle();
    for (let i = 0; i < 3; i++) t.reserve(1000 + i * 5); // 3 requests in the run's first 10 ms
    assert.equal(t.limited(t.generation, 1010), true);
    assert.equal(t.rate, 15, '3 requests over the 100 ms shortest span: 30/s, halved');
    const old = new Throttle();
    for (let i = 0; i < 4; i++) old.reserve(i * 1000); // a host in use for longer than the window
    old.limited(old.generation, 3000);
    assert.equal(old.rate, 0.75, 'over a full window as before: 3 starts in the last 2 s, halved');
  });

  it('counts one cut per episode: 429s to requests sent before the cut do not cut again', () => {
    const t = new Throttle();
    const before = t.generation;
    for (let i = 0; i < 10; i++) t.reserve(i);
    assert.equal(t.limited(before, 10, '40;w=5'), true);
    const rate = t.rate;
    for (let i = 0; i < 7; i++) assert.equal(t.limited(before, 20, '40;w=5'), false);
    assert.equal(t.rate, rate);
  });

  it('never goes below the floor and speeds up again while the host keeps answering, to unlimited', () => {
    const t = new Throttle();
    for (let i = 0; i < 20; i++) t.reserve(i * 100); // 10/s when first cut
    for (let i = 0; i < 12; i++) t.limited(t.generation, 2000 + i);
    assert.equal(t.rate, MIN_RATE);
    for (let i = 0; i < 10; i++) t.succeeded();
    assert.equal(t.rate, MIN_RATE * 1.25);
    for (let i = 0; i < 1000 && Number.isFinite(t.rate); i++) t.succeeded();
    assert.equal(t.rate, Number.POSITIVE_INFINITY, 'back to unlimited past twice the pace of the first cut');
  });

  it('a new 429 at the stated rate halves it: other clients (parallel shards) share the limit', () => {
    // Three `--shard k/3` jobs behind one Docker Hub limit of 60;w=1 each paced themselves at 54/s:
    // every new episode after a success went back to the stated rate, so together they sent 162/s
    // and about half of their requests met a 429 (2072 refused, 2213 admitted, in a backfill run).
    const t = new Throttle();
    t.limited(t.generation, 0, '60;w=1');
    assert.equal(t.rate, 54);
    for (let i = 0; i < 5; i++) t.succeeded();
    assert.equal(t.limited(t.generation, 2000, '60;w=1'), true);
    assert.equal(t.rate, 27, 'the second episode halves the pace, as for a limit not stated');
    for (let i = 0; i < 5; i++) t.succeeded();
    t.limited(t.generation, 4000, '60;w=1');
    assert.equal(t.rate, 13.5);
  });

  it('never goes above the rate the registry stated', () => {
    const t = new Throttle();
    t.limited(0, 0, '10;w=1');
    for (let i = 0; i < 1000; i++) t.succeeded();
    assert.equal(t.rate, 9);
  });

  it('waits out a Retry-After for the whole host without cutting its pace', () => {
    const t = new Throttle();
    assert.equal(t.limited(0, 0, undefined, 3000), false);
    assert.equal(t.rate, Number.POSITIVE_INFINITY);
    assert.equal(t.reserve(0), 3000);
    assert.equal(t.reserve(3500), 0);
  });
});

describe('withThrottle', () => {
  const response = (status: number, headers: Record<string, string> = {}): HttpResponse => {
    const body = new PassThrough();
    body.end();
    return { status, headers, body, url: new URL('http://r.example/v2/') };
  };
  const request = (probe?: boolean): HttpRequest => ({ method: 'GET', url: new URL('http://r.example/v2/a/tags/list'), scopes: [], probe });

  it('warns once per host, and a probe\'s 429 (ghcr\'s referrers endpoint) slows nothing', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const throttle = new Throttle();
    let now = 0;
    const send = withThrottle({ host: 'hub.example', throttle, logger, now: () => now }, async () => response(429, { 'ratelimit-limit': '1000;w=1', 'ratelimit-remaining': '0;w=1' }));
    await send(request(true));
    assert.equal(throttle.rate, Number.POSITIVE_INFINITY);
    await send(request());
    now = 10_000;
    await send(request());
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^hub\.example answers 429 too many requests \(ratelimit-limit 1000;w=1, remaining 0;w=1\): slowing requests to hub\.example down to 900\.0 requests\/s/);
  });
});

describe('withThrottle\'s remedy', () => {
  const limited = (): HttpResponse => {
    const body = new PassThrough();
    body.end();
    return { status: 429, headers: {}, body, url: new URL('http://hub.example/v2/') };
  };
  const said = async (credentialFrom?: () => Promise<string | undefined>): Promise<string> => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    await withThrottle({ host: 'hub.example', throttle: new Throttle(), logger, now: () => 0, credentialFrom }, async () => limited())({ method: 'GET', url: new URL('http://hub.example/v2/a/manifests/v1'), scopes: [] });
    return warnings[0]!;
  };

  it('suggests credentials to an anonymous run only; one that has them is told where they come from', async () => {
    assert.match(await said(async () => undefined), /concurrency avoids it, and so do credentials where the limit is for anonymous pulls$/);
    const given = await said(async () => "mirrors.yaml's registries.hub.example.credentials");
    assert.match(given, /concurrency avoids it; its requests already carry credentials \(mirrors\.yaml's registries\.hub\.example\.credentials\), so the limit is theirs, shared with any other run using them$/);
    assert.doesNotMatch(given, /so do credentials/);
    assert.match(await said(async () => ''), /already carry credentials, so the limit is theirs/);
  });
});

describe('withRetry over withThrottle', () => {
  // Docker Hub's 429 without Retry-After, shared by several CI jobs: a request may be refused
  // more times than maxAttempts while the host is still being slowed down. Those refusals are
  // the host's pace, not the request's failure; only once the pace is at its floor do they count.
  const limited = (): HttpResponse => {
    const body = new PassThrough();
    body.end();
    return { status: 429, headers: { 'ratelimit-limit': '100;w=5', 'ratelimit-remaining': '0;w=5' }, body, url: new URL('http://hub.example/v2/') };
  };
  const ok = (): HttpResponse => ({ ...limited(), status: 200, headers: {} });
  const logger = { debug() {}, info() {}, error() {}, warn() {} };

  it('a 429 that slows the host down costs the request no attempt; at the floor it does', async () => {
    const throttle = new Throttle();
    let clock = 0;
    const now = () => (clock += 60_000); // every pause already over: the test does not sleep
    let refusals = 8;
    const send = withThrottle({ host: 'hub.example', throttle, logger, now }, async () => (refusals-- > 0 ? limited() : ok()));
    const policy = { maxAttempts: 5, baseMs: 0, maxDelayMs: 0, canSlowDown: () => throttle.rate > MIN_RATE };
    const res = await withRetry('hub.example', policy, send)({ method: 'GET', url: new URL('http://hub.example/v2/a/manifests/v1'), scopes: [] });
    assert.equal(res.status, 200, 'eight 429s while slowing down, then the answer');

    // At the floor (MIN_RATE) there is nothing left to slow: every 429 counts again.
    let calls = 0;
    const atFloor = { ...policy, canSlowDown: () => false };
    const counted = withRetry('hub.example', atFloor, async () => { calls++; return limited(); });
    assert.equal((await counted({ method: 'GET', url: new URL('http://hub.example/v2/a/manifests/v1'), scopes: [] })).status, 429);
    assert.equal(calls, 5, 'at the floor every 429 counts against maxAttempts');
  });
});
