// Starts bench/lib/instant-registry.mjs (the distribution API answered from memory) as a child
// process the bench measures as it measures a `docker-registry`: CPU from /proc, requests from
// its access log. Used where the registries' own CPU must not bound a copy: `bench:cpu`, and
// `bench:compare` with BENCH_REGISTRY=instant (a WAN bound by round trips alone).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot, track } from './cleanup.mjs';
import { measured } from './registry.mjs';

const SERVER = fileURLToPath(new URL('instant-registry.mjs', import.meta.url));

/** An empty instant registry named `name`, with the same shape as startRegistry's. */
export async function startInstantRegistry(name) {
  const dir = join(tempRoot(), `instant-${name}`);
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'access.log');
  writeFileSync(logPath, '');
  const child = track(spawn(process.execPath, [SERVER, logPath], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instant registry ${name} exited ${code} before it listened`)));
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  });
  const host = `127.0.0.1:${port}`;
  return { ...measured(name, child, logPath), host, url: `http://${host}` };
}
