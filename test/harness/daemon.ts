// The programs a test starts as child processes of its own (nginx, haproxy, apache2, squid): found
// where Debian puts them, ended with the test file's process whatever happens to it, and stopped
// gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts `program` (from /usr/sbin, which a user's PATH often lacks, else the PATH), unref'd so a
 * forgotten close() cannot hang the test file; the exit handler above still ends it. `logFile`
 * takes its stdout and stderr (HAProxy logs there in the foreground).
 */
export function spawnDaemon(program: string, args: string[], logFile?: string): ChildProcess {
  const binary = existsSync(`/usr/sbin/${program}`) ? `/usr/sbin/${program}` : program;
  const fd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: fd === undefined ? 'ignore' : ['ignore', fd, fd] });
  if (fd !== undefined) closeSync(fd);
  child.unref();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopDaemon(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // The timer also keeps the event loop alive until the unref'd child is gone.
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
