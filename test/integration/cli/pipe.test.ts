// The CLI as one stage of a shell pipeline: a reader that stops early (`regmirror … | head`)
// must end the run quietly, never with an unhandled EPIPE and a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../harness/cli.js';

test('a closed stdout ends the run with exit 0 and nothing on stderr', async () => {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'regmirror.js'), 'schema'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // closed before the CLI has written a byte
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
