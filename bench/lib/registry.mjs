// A `docker-registry serve` process (CNCF distribution) on 127.0.0.1, plain HTTP, no auth, with
// an access log we can slice per phase and CPU seconds read from /proc; with `profile`, also its
// debug server, whose Go CPU profiles (/debug/pprof) say where those seconds go.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRoot, track } from './cleanup.mjs';
import { freePort, waitReady } from '../../scripts/lib/registry-process.mjs';

const TICKS = 100; // USER_HZ on Linux

/**
 * Starts a registry named `name`; `dataDir` lets two registries start from the same seeded files;
 * `profile` opens its debug server (profileWhile).
 */
export async function startRegistry(name, dataDir, { profile = false } = {}) {
  const dir = join(tempRoot(), `reg-${name}`);
  mkdirSync(dir, { recursive: true });
  const data = dataDir ?? join(dir, 'data');
  const logPath = join(dir, 'registry.log');
  const port = await freePort();
  const debugPort = profile ? await freePort() : undefined;
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    // warn: only the access log line per request (what we count), no "response completed" twin.
    'log:\n  level: warn\n  accesslog:\n    disabled: false',
    `storage:\n  filesystem:\n    rootdirectory: ${data}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false`,
    `http:\n  addr: 127.0.0.1:${port}\n  secret: regmirror-bench${debugPort ? `\n  debug:\n    addr: 127.0.0.1:${debugPort}` : ''}`,
    '',
  ].join('\n'));
  const fd = openSync(logPath, 'a');
  const child = track(spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  const host = `127.0.0.1:${port}`;
  await waitReady(`http://${host}`, child, logPath);
  return { ...measured(name, child, logPath), host, url: `http://${host}`, dataDir: data, ...(debugPort && { profileWhile: (done) => profileWhile(debugPort, done) }) };
}

const WINDOW_S = 2;

/**
 * The registry's CPU profiles (pprof's gzipped protobuf) from now until `done` settles: Go
 * profiles a fixed span, so back-to-back windows of WINDOW_S seconds, the last ending at most that
 * long after `done`, when the registry is idle and adds no samples.
 */
async function profileWhile(debugPort, done) {
  let over = false;
  done.then(() => (over = true), () => (over = true));
  const windows = [];
  while (!over) {
    const res = await fetch(`http://127.0.0.1:${debugPort}/debug/pprof/profile?seconds=${WINDOW_S}`);
    if (!res.ok) throw new Error(`registry debug server: /debug/pprof/profile answered ${res.status}`);
    windows.push(Buffer.from(await res.arrayBuffer()));
  }
  return windows;
}

/**
 * What the bench reads of a registry process `child` writing its access log to `logPath`: its
 * CPU seconds (from /proc) and the requests of a phase (a slice of the log); and stop().
 */
export function measured(name, child, logPath) {
  return {
    name, logPath, pid: child.pid,
    /** user+system CPU seconds the process has used so far. */
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS;
    },
    /** Current size of the access log, to slice the requests of one phase. */
    logOffset() {
      return statSync(logPath).size;
    },
    /** Access-log requests written since `offset`. */
    requestsSince(offset) {
      return parseAccessLog(readFileSync(logPath).subarray(offset).toString('utf8'));
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) (\d+|-)/;

/** Combined-log-format lines → { method, path, status, bytesOut }. */
export function parseAccessLog(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m) out.push({ method: m[1], path: m[2], status: Number(m[3]), bytesOut: m[4] === '-' ? 0 : Number(m[4]) });
  }
  return out;
}
