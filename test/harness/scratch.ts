// Scratch directories for tests. Each test file runs in a process of its own, and every directory
// made here is removed when that process exits, whether its tests passed, failed halfway or never
// reached their after() hooks: a test run leaves nothing in the temp dir (not even the test CA's
// keys), however often it runs on a developer's machine.
import { mkdtemp } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

function removeAll(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A child still writing into it at exit: nothing more can be done from an exit hook.
    }
  }
}

/** A fresh directory `regmirror-<name>-XXXXXX` under the OS temp dir, removed at process exit. */
export async function scratchDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `regmirror-${name}-`));
  if (made.size === 0) process.once('exit', removeAll);
  made.add(dir);
  return dir;
}
