// The verify report's HTML page, judged by headless Chromium as a person's browser would show it:
// `report render` of a saved report holding every status (hostile text included), the DOM after
// the page's own script ran (its filters shown, so the script ran without an error), and
// screenshots at 1280×800 and on a 390-wide phone to look at (REGMIRROR_REPORT_SCREENSHOT=DIR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../harness/cli.js';
import { renderedDom, screenshot } from '../../harness/chromium.js';
import { scratchDir } from '../../harness/scratch.js';
import { D, verifyReport, verifyResults } from '../../unit/report/fixture.js';

test('the verify report renders in Chromium: every status in the matrix, filters live, nothing injected', { timeout: 300_000 }, async () => {
  const dir = await scratchDir('report-html');
  const results = [...verifyResults(), {
    source: 'quay.io/jetstack/cmctl', tag: 'v2.1.0', sourceDigest: D('4'),
    targets: [
      { repository: 'ghcr.io/cert-manager/cmctl', status: 'unsigned' as const, digest: D('4'), detail: 'no valid signature at the target: no cosign signature of the digest' },
      { repository: 'quay.io/cert-manager/cmctl', status: 'missing' as const, digest: null, detail: 'tag absent at the target' },
    ],
  }];
  const json = join(dir, 'verify.json');
  await writeFile(json, JSON.stringify(verifyReport(results)));
  const html = join(dir, 'report.html');
  const render = await runCli(['report', 'render', json, '--format', 'html', '-o', html]);
  assert.equal(render.exitCode, 0, render.stderr);

  const dom = await renderedDom(html);
  assert.match(dom, /<div id="filters">/, 'the page script ran and showed the filters');
  for (const state of ['in-sync', 'missing', 'mismatch', 'incomplete', 'missing-referrers', 'extra', 'error', 'unsigned']) {
    assert.match(dom, new RegExp(`class="cell [a-z]+ st-${state}"`), `a ${state} cell`);
  }
  assert.doesNotMatch(dom, /<script>alert\(1\)<\/script>|<script>x<\/script>/, 'registry text stays text');
  const shots = process.env.REGMIRROR_REPORT_SCREENSHOT ?? dir;
  await screenshot(html, join(shots, 'report-1280.png'), 1280, 800);
  await screenshot(html, join(shots, 'report-390.png'), 390, 844);
});
