import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { syncReport, verifyReport } from './fixture.js';

const page = renderReport(verifyReport(), 'html');

test('HTML references no URL at all', () => {
  assert.doesNotMatch(page, /https?:/i);
  assert.doesNotMatch(page, /\b(src|href|action|poster)\s*=/i, 'nothing is loaded or linked');
  assert.doesNotMatch(page, /url\(/i, 'no CSS url()');
  assert.doesNotMatch(page, /@import/i);
  assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
});

test('HTML escapes report text', () => {
  assert.equal(page.match(/<script>/g)?.length, 1, 'only our own script element');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.includes('<th><span class="tag">&lt;script&gt;x&lt;/script&gt;</span></th>'));
  assert.ok(page.includes('auth: 401 &amp; denied'));
});

test('HTML has one matrix cell per (tag, target) with its status and a tooltip', () => {
  const cells = [...page.matchAll(/<td class="cell [^"]*" data-status="([^"]+)" title="([^"]*)">/g)];
  assert.equal(cells.length, 15);
  assert.equal(cells.filter((c) => c[1] === 'in-sync').length, 8);
  assert.ok(cells.some((c) => c[1] === 'missing' && (c[2] ?? '').includes('tag absent at target')));
  assert.equal(page.match(/<section class="repo">/g)?.length, 3);
  assert.equal(page.match(/<td class="none">/g)?.length, 1, 'the extra tag has no row for the quay target');
});

test('HTML shows the summary first and works without scripts', () => {
  assert.ok(page.indexOf('3 repositories · 7 tags · 2 targets — 8 in sync, 5 drift, 2 errors') < page.indexOf('<section'));
  assert.match(page, /<div id="filters" hidden>/, 'filter box only appears when the script runs');
  assert.match(renderReport(syncReport('sync'), 'html'), /data-status="conflict"/);
});

test('HTML says why a cell needs attention on the page itself, not only in its tooltip', () => {
  const whys = [...page.matchAll(/<small class="why">([^<]*)<\/small>/g)].map((m) => m[1]);
  assert.ok(whys.includes('tag absent at target'), whys.join(' | '));
  assert.ok(whys.some((w) => (w ?? '').includes('auth: 401 &amp; denied')), 'escaped like the rest');
  const inSync = [...page.matchAll(/<td class="cell [^"]*" data-status="in-sync"[^>]*>(.*?)<\/td>/g)];
  assert.ok(inSync.length > 0 && inSync.every((c) => !(c[1] ?? '').includes('class="why"')), 'cells in sync carry no reason');
});

test('HTML gives a signature refusal a colour of its own, not the yellow of a missing tag', () => {
  // signatures2 hunt: an `unsigned` cell and a `missing` one looked alike in the matrix and the legend.
  const style = page.slice(page.indexOf('<style>'), page.indexOf('</style>'));
  const background = (selector: string): string | undefined => new RegExp(`${selector.replace('.', '\\.')}[^{]*\\{background:(#[0-9a-f]+)`).exec(style)?.[1];
  const drift = /\.drift\{background:(#[0-9a-f]+)\}/.exec(style)?.[1];
  assert.ok(background('.st-unsigned'), 'unsigned has its own background');
  assert.notEqual(background('.st-unsigned'), drift);
  assert.equal(background('.st-refused'), background('.st-unsigned'), "sync's refused rows share it");
});
