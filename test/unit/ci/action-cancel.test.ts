// A cancelled job: the runner sends SIGTERM to the step's whole process group. regmirror stops
// cleanly and exits 130, but action/run.mjs, in the same group, died of the signal at once, so
// the step's `exit-code` output was never written and later `if: always()` steps read ''. The
// wrapper now leaves the signal to regmirror, waits for it, and records its exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../harness/cli.js';

test('SIGTERM to the process group: the wrapper outlives regmirror and writes exit-code 130', async () => {
  const root = repoRoot();
  const runner = await mkdtemp(join(tmpdir(), 'regmirror-action-cancel-'));
  try {
    // run.mjs uses an install it finds under RUNNER_TEMP: here a stand-in that stops as regmirror does.
    const key = createHash('sha256').update(root).digest('hex').slice(0, 12);
    const bin = join(runner, `regmirror-action-${key}`, 'bin');
    await mkdir(bin, { recursive: true });
    // Its handler is in place before it says 'started' (the signal is sent on that word).
    await writeFile(join(bin, 'regmirror'), `#!${process.execPath}\nprocess.on('SIGTERM', () => setTimeout(() => process.exit(130), 200));\nconsole.log('started');\nsetInterval(() => {}, 1000);\n`);
    await chmod(join(bin, 'regmirror'), 0o755);
    const output = join(runner, 'output.txt');
    await writeFile(output, '');
    const child = spawn(process.execPath, [join(root, 'action', 'run.mjs')], {
      detached: true, // its own process group, as a step's
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_ACTION_PATH: root, RUNNER_TEMP: runner, GITHUB_OUTPUT: output, INPUT_COMMAND: 'sync', INPUT_ARGS: '--tag v1.0.0' },
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.includes('started')) resolve(); }));
    process.kill(-child.pid!, 'SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    assert.deepEqual([code, signal], [130, null], 'the wrapper exits with regmirror\'s code, not of the signal');
    assert.match(await readFile(output, 'utf8'), /^exit-code<<ghadelimiter_[a-f0-9]+\n130\n/m);
  } finally {
    await rm(runner, { recursive: true, force: true });
  }
});
