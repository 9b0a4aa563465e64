// Everything the bench starts or writes lives under one temp root and is removed at exit,
// however the process ends (normal exit, error, Ctrl-C, SIGTERM).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set();
let root;

/** The bench's temp root (created on first use). */
export function tempRoot() {
  root ??= mkdtempSync(join(tmpdir(), 'regmirror-bench-'));
  return root;
}

/** Registers a child process to kill at exit; returns it. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function cleanup() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  if (root && !process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
}

process.once('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });
}
