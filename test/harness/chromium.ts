// Headless Chromium (Debian's `chromium`), the judge of every page a person reads: the DOM it
// rendered (after the page's own script ran) and a screenshot to look at.
import { stat } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { execa } from 'execa';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu'];

/** The DOM of `file` as Chromium rendered it. */
export async function renderedDom(file: string): Promise<string> {
  const run = await execa('chromium', [...FLAGS, '--dump-dom', `file://${file}`], { reject: false, timeout: 120_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  return run.stdout;
}

/** Writes a screenshot of `file` at `width`×`height` to `png`, and checks it is a real picture. */
export async function screenshot(file: string, png: string, width: number, height: number): Promise<void> {
  const run = await execa('chromium', [...FLAGS, '--hide-scrollbars', `--screenshot=${png}`, `--window-size=${width},${height}`, `file://${file}`], { reject: false, timeout: 120_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.ok((await stat(png)).size > 5000, 'a real screenshot');
}
