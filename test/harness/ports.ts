// Ports for the test registries. Test files run as parallel processes, and a port found free with
// listen(0) and let go could be taken by another process's server (listen(0)) before
// docker-registry bound it, or while a test had stopped a registry to start it again on the same
// port, or while a test counted on a stopped registry's port refusing connections. So a registry's
// port comes from below the kernel's ephemeral range, where no listen(0) and no outgoing
// connection of any process lands, and is reserved across test processes with a lock file (the
// owner's pid) until the process that took it exits: only that process ever binds it.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const held = new Set<string>();
process.once('exit', () => {
  for (const file of held) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
});

/** A port on 127.0.0.1, free now and kept for this process until it exits. */
export async function reservePort(): Promise<number> {
  const [low, high] = range();
  for (let tries = 0; tries < 200; tries++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (claim(port) && await bindable(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} after 200 tries`);
}

/** 20000 up to just below the ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range). */
function range(): [number, number] {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: the common default
  }
  return ephemeralLow > 21_000 ? [20_000, ephemeralLow - 1] : [10_000, 19_999];
}

/** Takes the port's lock file, or one whose owner is gone; false when a live process holds it. */
export function claim(port: number): boolean {
  const file = lockFile(port);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || alive(file)) return false;
      try {
        unlinkSync(file); // left by a process that was killed
      } catch {
        return false;
      }
    }
  }
  return false;
}

/** The lock file of a port: the pid of the test process that holds it. */
export function lockFile(port: number): string {
  return join(tmpdir(), `regmirror-port-${port}.lock`);
}

function alive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8'));
  } catch {
    return true; // being written or removed right now: leave it
  }
  if (!pid) return true; // being written right now
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Nothing (outside the test processes, say) listens on it now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
