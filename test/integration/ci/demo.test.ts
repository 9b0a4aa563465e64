// The README's first command, `npm ci && npm run demo`, run as a user runs it: `npm run demo` on
// this checkout (its tools already there, as `npm test` installed them). The demo checks every
// step's exit code itself (exit 1 on a surprise), so a change that breaks any command it runs, the
// gateway's included, fails here rather than on a new user's first try.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

test('npm run demo: every step passes, one mirror over HTTPS trusted by caFile, skopeo reads the same digests at both mirrors and through the gateway', async () => {
  const dir = await scratchDir('demo');
  const run = await execa('npm', ['run', 'demo', '--silent'], {
    cwd: repoRoot(), reject: false, timeout: 280_000, all: true,
    env: { REGMIRROR_DEMO_DIR: dir, NO_COLOR: '1', GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined, GITHUB_STEP_SUMMARY: undefined },
  });
  assert.equal(run.exitCode, 0, run.all?.slice(-3000));
  assert.match(run.stdout, /✓ skopeo sees the same digest/);
  // "ghcr" speaks HTTPS, trusted through the demo CA by caFile (as users meet registries), not plain HTTP.
  assert.match(run.stdout, /"ghcr"\s+https:\/\/127\.0\.0\.1:\d+/);
  assert.match(await readFile(join(dir, 'mirrors.yaml'), 'utf8'), /^ {4}caFile: ca\.pem/m);
  assert.match(run.stdout, /✓ skopeo through the gateway sees the source's digest sha256:[0-9a-f]{12}/);
  assert.match(run.stdout, /Done in \d+s/);
  // What the closing lines point the user at is there: the drift report (the demo's hand-made drift, before its repair).
  const verify = JSON.parse(await readFile(join(dir, 'verify.json'), 'utf8')) as { summary: { drift: number; errors: number; inSync: number } };
  assert.equal(verify.summary.errors, 0);
  assert.ok(verify.summary.drift > 0 && verify.summary.inSync > 0, JSON.stringify(verify.summary));
  assert.match(await readFile(join(dir, 'report.html'), 'utf8'), /<h1>regmirror verify<\/h1>/);
});
