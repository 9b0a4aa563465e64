import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { parseXml, type XmlElement } from './xml-check.js';
import { syncReport, verifyReport, verifyResults } from './fixture.js';

const all = (el: XmlElement, name: string): XmlElement[] => [
  ...el.children.filter((c) => c.name === name),
  ...el.children.flatMap((c) => all(c, name)),
];

test('JUnit is well-formed with a suite per source and a case per (tag, target)', () => {
  const root = parseXml(renderReport(verifyReport(), 'junit'));
  assert.equal(root.name, 'testsuites');
  const suites = root.children;
  assert.deepEqual(suites.map((s) => s.attrs.name), ['quay.io/jetstack/cert-manager-controller', 'quay.io/jetstack/cert-manager-webhook', 'quay.io/jetstack/cmctl']);
  assert.equal(all(root, 'testcase').length, 15);
  const c = all(root, 'testcase').find((t) => t.attrs.name === 'v1.9.0 → ghcr.io/cert-manager/cert-manager-controller');
  assert.equal(c?.attrs.classname, 'quay.io/jetstack/cert-manager-controller');
  assert.equal(all(root, 'testcase').filter((t) => t.attrs.name === '<script>x</script> → quay.io/cert-manager/cmctl').length, 1, 'names escaped and decoded back');
});

test('JUnit counts failures (drift) and errors right, in totals and per suite', () => {
  const root = parseXml(renderReport(verifyReport(), 'junit'));
  assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.errors], ['15', '5', '2']);
  assert.equal(all(root, 'failure').length, 5);
  assert.equal(all(root, 'error').length, 2);
  assert.deepEqual(all(root, 'failure').map((f) => f.attrs.type).sort(), ['extra', 'incomplete', 'mismatch', 'missing', 'missing-referrers']);
  for (const suite of root.children) {
    assert.equal(Number(suite.attrs.failures), all(suite, 'failure').length);
    assert.equal(Number(suite.attrs.errors), all(suite, 'error').length);
    assert.equal(Number(suite.attrs.tests), all(suite, 'testcase').length);
  }
  const err = all(root, 'error').find((e) => e.attrs.message?.includes('<script>'));
  assert.equal(err?.attrs.message, 'error: unreachable: <script>alert(1)</script>');
});

test('JUnit for sync: conflicts fail, failed copies error', () => {
  const root = parseXml(renderReport(syncReport('sync'), 'junit'));
  assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.errors], ['6', '1', '1']);
  assert.equal(all(root, 'error')[0]?.attrs.type, 'failed');
});

test('the checker itself rejects broken XML', () => {
  assert.throws(() => parseXml('<a><b></a>'));
  assert.throws(() => parseXml('<a>x & y</a>'));
  assert.throws(() => parseXml('<a t="<"/>'));
});

// ci2 hunt: a registry's error text with a line break and a workflow command of its own, in a
// JUnit report printed to a GitHub Actions log (`verify --format junit` to stdout, `cat
// report.xml`): the runner reads every line starting with `::` as a command. The line breaks are
// character references, so no line of the file is the registry's, and a reader still decodes them.
test('JUnit: no line of a registry error text starts a line of the file', () => {
  const hostile = 'denied\n::error title=pwned::injected\r\n::add-mask::x';
  const results = verifyResults();
  results[6]!.targets[0]!.detail = hostile;
  const xml = renderReport(verifyReport(results), 'junit');
  const starts = xml.split(/\r?\n|\r/).filter((l) => l.trimStart().startsWith('::'));
  assert.deepEqual(starts, []);
  assert.ok(xml.includes('denied&#10;::error title=pwned::injected&#13;&#10;::add-mask::x'), 'line breaks kept as references');
  const err = all(parseXml(xml), 'error').find((e) => e.attrs.message?.includes('denied'));
  assert.ok(err?.text.includes('source digest: '), 'the body keeps its own lines');
});

// ci2 hunt: dorny/test-reporter, the usual JUnit reader in GitHub Actions, takes every suite's and
// case's duration as parseFloat(time) * 1000, and rendered our report's durations as "NaNms".
test('JUnit: testsuites, every testsuite and every testcase carry a numeric time', () => {
  const root = parseXml(renderReport(verifyReport(), 'junit'));
  for (const el of [root, ...all(root, 'testsuite'), ...all(root, 'testcase')]) {
    assert.ok(Number.isFinite(parseFloat(el.attrs.time ?? '')), `${el.name} ${el.attrs.name}: time="${el.attrs.time}"`);
  }
});
