// What the real front ends of the harness (nginx.ts, haproxy.ts, apache.ts) share: a server
// program run as this user on a loopback port with a config it was given, TLS with the test CA,
// waited for until it answers /v2/, and stopped by close() or, at the latest, when the test
// process exits.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { spawnDaemon, stopDaemon } from './daemon.js';
import { testCerts, trustFor } from './tls.js';

export interface RunningFrontEnd {
  /** 127.0.0.1:PORT, the name a mirrors.yaml gives the registry behind it. */
  host: string;
  url: string;
  caFile: string;
  certDir: string;
  close(): Promise<void>;
}

/** How to run one: its program (looked for in /usr/sbin first, which a user's PATH often lacks), arguments, port, and where its errors go. */
export interface FrontEndProcess { name: string; args: string[]; port: number; errorLog: string; stdoutToLog?: boolean }

/** Starts the front end and waits until it answers; its `errorLog` takes its stdout and stderr when `stdoutToLog`. */
export async function startFrontEnd(run: FrontEndProcess): Promise<RunningFrontEnd> {
  const child = spawnDaemon(run.name, run.args, run.stdoutToLog ? run.errorLog : undefined);
  const url = `https://127.0.0.1:${run.port}`;
  await waitReady(run.name, url, child, run.errorLog);
  return {
    host: `127.0.0.1:${run.port}`, url, ...trustFor(await testCerts(), 'good'),
    close: () => stopDaemon(child),
  };
}

/** The lines `log` holds so far that `keep` keeps (none before the first), each split into its space-separated fields. */
export async function loggedFields(log: string, keep: (line: string) => boolean = Boolean): Promise<string[][]> {
  const text = existsSync(log) ? await readFile(log, 'utf8') : '';
  return text.split('\n').filter(keep).map((line) => line.split(' '));
}

const readiness = new Agent({ connect: { rejectUnauthorized: false } });

async function waitReady(name: string, url: string, child: ChildProcess, errorLog: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`);
    try {
      const res = await request(`${url}/v2/`, { dispatcher: readiness, reset: true });
      await res.body.arrayBuffer();
      if (res.statusCode === 200 || res.statusCode === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become ready at ${url}; see ${errorLog}`);
}
