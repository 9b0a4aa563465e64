// `npm run bench:gateway`: GATEWAY_CLIENTS (default 200) concurrent clients each pulling a
// 5-platform release GATEWAY_ROUNDS times (index by tag, every platform manifest by digest, and
// the config and layers of one platform, following redirects) straight from a docker-registry,
// then through `regmirror serve` in front of it. Prints throughput, p50/p99 latency per manifest
// and the gateway's peak memory; appends (or replaces) the "Gateway" section of bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { tempRoot, track } from './lib/cleanup.mjs';
import { startRegistry } from './lib/registry.mjs';
import { seedWorkload, REPOS } from './lib/seed.mjs';
import { ACCEPT } from './lib/content.mjs';
import { listeningUrl } from '../scripts/lib/serve-process.mjs';
import { assertBuilt } from './lib/tools.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
assertBuilt();
const CLIENTS = Number(process.env.GATEWAY_CLIENTS ?? 200);
const ROUNDS = Number(process.env.GATEWAY_ROUNDS ?? 3);
const loadAtStart = loadavg()[0];

const reg = await startRegistry('gateway-backend');
const w = { repos: [REPOS[0]], tags: 1, platforms: 5, layerBytes: 64 * 1024, baseBytes: 256 * 1024 };
const seeded = await seedWorkload(reg, w);
const { tag } = seeded.images[0];
const repo = `jetstack/${REPOS[0]}`;

const dir = tempRoot();
const config = join(dir, 'mirrors.yaml');
writeFileSync(config, `version: 1
images:
  - source: ${reg.host}/${repo}
    name: ${REPOS[0]}
    targets: [${reg.host}/jetstack]
gateway:
  listen: 127.0.0.1:0
  events: ${join(dir, 'events.ndjson')}
  healthInterval: 5
`);
const gw = await startGateway(config);
// The worst case for added latency: every tag asked of the backend (no tag cache).
const cold = await startGateway(config, ['--tag-ttl', '0']);

const agent = new Agent({ connections: CLIENTS, pipelining: 1, keepAliveTimeout: 30_000 });
let retried503 = 0;
/**
 * One request; follows one redirect (a blob's 307); asks again after a 503 (as containerd and
 * docker do) and counts it; returns ms to the end of the body, retries included.
 */
async function timedGet(url, headers = {}) {
  const started = performance.now();
  let res = await request(url, { headers, dispatcher: agent });
  for (let i = 0; res.statusCode === 503 && i < 5; i++) {
    retried503++;
    await res.body.dump();
    await new Promise((r) => setTimeout(r, 1000));
    res = await request(url, { headers, dispatcher: agent });
  }
  if (res.statusCode === 307) {
    await res.body.dump();
    res = await request(new URL(res.headers.location, url).href, { dispatcher: agent });
  }
  const body = await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return { ms: performance.now() - started, body: Buffer.from(body) };
}

/**
 * CLIENTS clients × ROUNDS pulls against `base` (`/v2/<name>`): manifest latencies and wall time.
 * `blobs`: also fetch one platform's config and layers (a real pull); without, manifests only.
 */
async function pulls(base, blobs = true) {
  const latencies = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let r = 0; r < ROUNDS; r++) {
      const index = await timedGet(`${base}/manifests/${tag}`, { accept: ACCEPT });
      latencies.push(index.ms);
      const children = JSON.parse(index.body.toString('utf8')).manifests;
      const mine = children[c % children.length];
      for (const child of children) {
        const m = await timedGet(`${base}/manifests/${child.digest}`, { accept: ACCEPT });
        latencies.push(m.ms);
        if (!blobs || child !== mine) continue;
        const manifest = JSON.parse(m.body.toString('utf8'));
        for (const b of [manifest.config, ...manifest.layers]) await timedGet(`${base}/blobs/${b.digest}`);
      }
    }
  }));
  const wall = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { wall, pullsPerSecond: (CLIENTS * ROUNDS) / wall, p50: q(0.5), p99: q(0.99), manifests: latencies.length };
}

const viaGw = `${gw.url}/v2/${REPOS[0]}`;
const viaCold = `${cold.url}/v2/${REPOS[0]}`;
await pulls(viaGw); // warm-up: connections, the manifest cache
await pulls(viaCold, false);
const m = { direct: await pulls(`${reg.url}/v2/${repo}`, false), gateway: await pulls(viaGw, false), cold: await pulls(viaCold, false) };
const full = { direct: await pulls(`${reg.url}/v2/${repo}`), gateway: await pulls(viaGw) };
const peakMB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${gw.pid}/status`, 'utf8'))[1]) / 1024;
await gw.stop();
await cold.stop();
await reg.stop();
await agent.close();

const f = (n, d = 1) => n.toFixed(d);
const section = `<!-- gateway -->
## Gateway (\`regmirror serve\`)

${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores (load average ${f(loadAtStart)} at the start, ${f(loadavg()[0])} at the end) · \`node bench/gateway.mjs\`

${CLIENTS} concurrent clients, each pulling a ${w.platforms}-platform release ${ROUNDS} times: the index by tag, every platform manifest by digest (as \`copy --all\` does), then the config and layers of one platform (blobs: the gateway answers 307 to the registry, which serves anonymous reads). One local \`docker-registry\` as the only backend; the gateway with its defaults (tag → digest cached 10 s, manifests by digest cached), events to a file.

| figure | direct | through the gateway | added |
| --- | ---: | ---: | ---: |
| Whole pulls per second (${CLIENTS * ROUNDS} pulls, blobs included) | ${f(full.direct.pullsPerSecond)} (${f(full.direct.wall, 2)} s) | ${f(full.gateway.pullsPerSecond)} (${f(full.gateway.wall, 2)} s) | |
| Manifest-only pulls per second (index + ${w.platforms} manifests) | ${f(m.direct.pullsPerSecond)} | ${f(m.gateway.pullsPerSecond)}; tag cache off: ${f(m.cold.pullsPerSecond)} | |
| Manifest latency p50 (${m.gateway.manifests} manifests) | ${f(m.direct.p50)} ms | ${f(m.gateway.p50)} ms; tag cache off: ${f(m.cold.p50)} ms | ${f(m.gateway.p50 - m.direct.p50)} ms; ${f(m.cold.p50 - m.direct.p50)} ms |
| Manifest latency p99 | ${f(m.direct.p99)} ms | ${f(m.gateway.p99)} ms; tag cache off: ${f(m.cold.p99)} ms | ${f(m.gateway.p99 - m.direct.p99)} ms; ${f(m.cold.p99 - m.direct.p99)} ms |
| Manifest latency p50 / p99 during whole pulls | ${f(full.direct.p50)} / ${f(full.direct.p99)} ms | ${f(full.gateway.p50)} / ${f(full.gateway.p99)} ms | |
| Gateway peak memory (VmHWM, after every run above) | | ${f(peakMB, 0)} MB | |
| 503 answers, asked again after 1 s (the backend did not answer within the 5 s deadline) | | ${retried503} | |

Blobs are one 307 away from the registry, so whole pulls are bound by the registry's blob reads either way. "Tag cache off" is a second gateway with \`--tag-ttl 0\`: every tag GET asks the backend (platform manifests by digest still come from memory), the worst case of added latency. A negative "added" latency means the gateway's memory answered faster than distribution reads its files on this loaded machine.
<!-- /gateway -->
`;
process.stdout.write(section);
const results = join(BENCH, 'RESULTS.md');
const old = existsSync(results) ? readFileSync(results, 'utf8') : '';
const marked = /<!-- gateway -->[\s\S]*<!-- \/gateway -->\n?/;
writeFileSync(results, marked.test(old) ? old.replace(marked, section) : `${old.trimEnd()}\n\n${section}`);

async function startGateway(file, extra = []) {
  const child = track(spawn(process.execPath, [join(ROOT, 'bin', 'regmirror.js'), 'serve', '-c', file, '--client-rate', '0', '-q', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const url = await listeningUrl(child);
  return {
    url, pid: child.pid,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}
