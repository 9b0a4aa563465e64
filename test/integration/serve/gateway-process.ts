// `regmirror serve` as a child process for the gateway tests: started on a free loopback port,
// its events (stdout NDJSON) collected, stopped with SIGTERM and its exit code kept.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/cli.js';
import type { GatewayEvent } from '../../../src/serve/events.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestOf } from '../../harness/seed.js';

/** A running gateway. */
export interface GatewayProcess {
  url: string;
  host: string;
  /** The gateway's process id (what it used: /proc/PID). */
  pid: number;
  events: GatewayEvent[];
  stderr(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

let dockerConfig: string | undefined;

/** Starts `regmirror serve -c config --listen 127.0.0.1:0 --shutdown-delay 0 ...extra` (with `env` added) and waits for its address. */
export async function startGateway(config: string, extra: string[] = [], env: Record<string, string> = {}): Promise<GatewayProcess> {
  dockerConfig ??= await scratchDir('gw-docker');
  const dir = dockerConfig;
  // Stopped at once unless a test asks otherwise: gateway.shutdownDelay's 5 s at every stop of
  // every gateway test would only slow them (serve/drain.test.ts runs with it).
  const delay = extra.includes('--shutdown-delay') || readFileSync(config, 'utf8').includes('shutdownDelay:') ? [] : ['--shutdown-delay', '0'];
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'regmirror.js'), 'serve', '-c', config, '--listen', '127.0.0.1:0', ...delay, ...extra], {
    env: { ...process.env, DOCKER_CONFIG: dir, REGISTRY_AUTH_FILE: '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const events: GatewayEvent[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as GatewayEvent);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    url, host: new URL(url).host, pid: child.pid!, events, stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until `check()` is true (polling; generous limit for a loaded machine). */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What the gateway tests accept for a manifest: an OCI index or image manifest. */
export const MANIFEST_ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';

/** Which backend served a GET of the tag, and with what status (polls for its event). */
export async function servedBy(gw: GatewayProcess, tag: string): Promise<{ status: number; backend: string }> {
  const before = gw.events.length;
  const res = await fetch(`${gw.url}/v2/app/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  await res.arrayBuffer();
  await until(() => gw.events.slice(before).some((e) => e.tag === tag), 'the event');
  return { status: res.status, backend: gw.events.slice(before).find((e) => e.tag === tag)!.backend };
}

/** Each blob of `app` the gateway answers itself (200, never a 307 elsewhere), with the bytes of its digest. */
export async function assertStreamed(gw: GatewayProcess, digests: string[]): Promise<void> {
  for (const digest of digests) {
    const res = await fetch(`${gw.url}/v2/app/blobs/${digest}`, { redirect: 'manual' });
    assert.equal(res.status, 200, `${digest}: ${res.status} ${res.headers.get('location') ?? ''}`);
    assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), digest);
  }
}
