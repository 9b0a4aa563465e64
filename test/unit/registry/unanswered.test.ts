// The host a stalled run waits on, for the progress line (registry/http/unanswered.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Unanswered } from '../../../src/registry/http/unanswered.js';

test('names the host that answered nothing for the quiet time, not one that is merely slow', () => {
  let now = 0;
  const waits = new Unanswered(() => now);
  const hung = [waits.begin('hung:5000'), waits.begin('hung:5000')];
  const slow = waits.begin('slow:5000');
  now = 4000;
  // slow answers another request meanwhile: it speaks.
  waits.begin('slow:5000')();
  assert.equal(waits.describe(10_000), undefined);
  now = 18_000;
  assert.equal(waits.describe(10_000), 'no answer from hung:5000 for 18 s (2 requests)');
  for (const done of hung) done();
  slow();
  assert.equal(waits.describe(10_000), undefined);
});

test('a request whose streamed body is still being read (an upload fed by a source) waits on its source, not on the host', async () => {
  const { PassThrough } = await import('node:stream');
  let now = 0;
  const waits = new Unanswered(() => now);
  const body = new PassThrough();
  const done = waits.sent('target:5000', body);
  now = 20_000;
  assert.equal(waits.describe(10_000), undefined);
  body.resume();
  body.end();
  await new Promise((resolve) => setImmediate(resolve));
  now = 35_000;
  assert.equal(waits.describe(10_000), 'no answer from target:5000 for 15 s (1 request)');
  done();
  assert.equal(waits.describe(10_000), undefined);
});

test('a host that refuses connections and is waited for is said as that, not as silent', () => {
  let now = 0;
  const restarting = new Map([['gone:5000', { since: 2000, waitMs: 30_000 }]]);
  const waits = new Unanswered(() => now, (host) => restarting.get(host));
  const held = [waits.begin('gone:5000'), waits.begin('gone:5000'), waits.begin('gone:5000')];
  now = 14_000;
  assert.equal(waits.describe(10_000), 'gone:5000 refuses connections: waiting up to 30 s for it to come back (12 s so far, 3 requests)');
  restarting.clear();
  assert.equal(waits.describe(10_000), 'no answer from gone:5000 for 14 s (3 requests)');
  for (const done of held) done();
});

test('requests held while a host was down count from its return: not said as a registry that did not answer for the whole outage', () => {
  let now = 0;
  const restarting = new Map([['gone:5000', { since: 2000, waitMs: 30_000 }]]);
  let back: number | undefined;
  const waits = new Unanswered(() => now, (host) => restarting.get(host), () => back);
  const held = [waits.begin('gone:5000'), waits.begin('gone:5000')];
  now = 8_000;
  assert.match(waits.describe(1_000)!, /^gone:5000 refuses connections/);
  restarting.clear();
  back = 8_000;
  now = 8_500;
  assert.equal(waits.describe(1_000), undefined, 'back half a second ago: its answers are on their way');
  now = 11_000;
  assert.equal(waits.describe(1_000), 'no answer from gone:5000 for 3 s (2 requests)', 'back and silent since');
  for (const done of held) done();
});

test('a body that stopped giving bytes is named once nothing is unanswered; one held back by its reader is not', () => {
  // issuer2 hunt: a blob dripped, then stalled for 60 s, and the progress line said nothing of it.
  let now = 0;
  const waits = new Unanswered(() => now);
  let starved = true;
  const stalled = waits.reading('source:5000', () => starved);
  const moving = waits.reading('other:5000', () => true);
  now = 9_000;
  moving.chunk();
  assert.equal(waits.describe(10_000), undefined);
  now = 25_000;
  assert.equal(waits.describe(10_000), 'no bytes from source:5000 for 25 s (1 download stalled mid-body)');
  // Bytes buffered for a reader that is behind (a slow target): the wait is not the source's.
  starved = false;
  assert.equal(waits.describe(30_000), undefined);
  starved = true;
  // A request unanswered is said first: it is what the run waits on.
  const hung = waits.begin('hung:5000');
  now = 40_000;
  assert.equal(waits.describe(10_000), 'no answer from hung:5000 for 15 s (1 request)');
  hung();
  stalled.end();
  moving.end();
  assert.equal(waits.describe(10_000), undefined);
});

test('a host whose connections wait for a restarting proxy names the proxy, not the host as silent', () => {
  let now = 0;
  const waits = new Unanswered(() => now, (host) => (host === 'registry:8443' ? { since: 1000, waitMs: 30_000, name: 'the proxy http://proxy:3128 (HTTPS_PROXY)' } : undefined));
  const held = [waits.begin('registry:8443'), waits.begin('registry:8443')];
  now = 4000;
  assert.equal(waits.describe(1000), 'the proxy http://proxy:3128 (HTTPS_PROXY) refuses connections: waiting up to 30 s for it to come back (3 s so far, 2 requests to registry:8443)');
  for (const done of held) done();
});
