// Two ways a registry's text could break the HTML page (report hunt). A 128-character tag (OCI's
// limit) sat in a `white-space:nowrap` row header: its column took the whole 1280px page, every
// status cell of that repository's matrix was pushed off-screen, behind a horizontal scroll. And
// error text with line breaks was written raw: a page printed to a CI log (`--format html` to
// stdout) had lines starting with the registry's text, `::error::…` included, which junit.ts
// already guards against with character references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { D, verifyReport } from './fixture.js';

const longTag = `v1.0.0-${'x'.repeat(121)}`;
const page = renderReport(
  verifyReport([
    {
      source: 'quay.io/jetstack/app',
      tag: longTag,
      sourceDigest: D('a'),
      targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'error', digest: null, detail: 'GET 500: oops\n::error::pwned\r\n## injected' }],
    },
  ]),
  'html',
);

test('a long tag wraps inside a bounded row header instead of widening the matrix', () => {
  assert.equal(longTag.length, 128);
  assert.ok(page.includes(`<th><span class="tag">${longTag}</span></th>`), 'the tag is in a bounded block');
  const style = page.slice(page.indexOf('<style>'), page.indexOf('</style>'));
  assert.match(style, /\.tag\{display:block;max-width:[^;]+;overflow-wrap:break-word\}/);
  assert.doesNotMatch(style, /tbody th\{[^}]*nowrap/, 'no row header is kept on one line whatever its length');
});

test('no line of the page starts with text from a registry', () => {
  for (const line of page.split('\n')) {
    assert.doesNotMatch(line, /^(::|## injected)/, line);
  }
  assert.ok(page.includes('GET 500: oops&#10;::error::pwned&#13;&#10;## injected'), 'line breaks kept as references');
});
