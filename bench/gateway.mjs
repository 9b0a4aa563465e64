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

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
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

const agent = new Agent({ connections: CLIENTS, pipelining: 1, keepAliveTimeout: 30_000 });
/** One request; follows one redirect (a blob's 307); returns ms to the end of the body. */
async function timedGet(url, headers = {}) {
  const started = performance.now();
  let res = await request(url, { headers, dispatcher: agent });
  if (res.statusCode === 307) {
    await res.body.dump();
    res = await request(new URL(res.headers.location, url).href, { dispatcher: agent });
  }
  const body = await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return { ms: performance.now() - started, body: Buffer.from(body) };
}

/** CLIENTS clients × ROUNDS pulls against `base` (`/v2/<name>`); manifest latencies and wall time. */
async function pulls(base) {
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
        if (child !== mine) continue;
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

await pulls(`${gw.url}/v2/${REPOS[0]}`); // warm-up: tokens, connections, the manifest cache
const direct = await pulls(`${reg.url}/v2/${repo}`);
const through = await pulls(`${gw.url}/v2/${REPOS[0]}`);
const peakMB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${gw.pid}/status`, 'utf8'))[1]) / 1024;
await gw.stop();
await reg.stop();
await agent.close();

const f = (n, d = 1) => n.toFixed(d);
const section = `<!-- gateway -->
## Gateway (\`regmirror serve\`)

${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores, shared with other engineers' builds and tests (load average ${f(loadAtStart)} at the start, ${f(loadavg()[0])} at the end) · \`node bench/gateway.mjs\`

${CLIENTS} concurrent clients, each pulling a ${w.platforms}-platform release ${ROUNDS} times: the index by tag, every platform manifest by digest (as \`copy --all\` does), then the config and layers of one platform (blobs: the gateway answers 307 to the registry, which serves anonymous reads). One local \`docker-registry\` as the only backend; the gateway with its defaults (tag → digest cached 10 s, manifests by digest cached), events to a file.

| figure | direct | through the gateway | added |
| --- | ---: | ---: | ---: |
| Pulls per second (${CLIENTS * ROUNDS} pulls) | ${f(direct.pullsPerSecond)} | ${f(through.pullsPerSecond)} | |
| Wall time | ${f(direct.wall, 2)} s | ${f(through.wall, 2)} s | |
| Manifest latency p50 (${through.manifests} manifests) | ${f(direct.p50)} ms | ${f(through.p50)} ms | ${f(through.p50 - direct.p50)} ms |
| Manifest latency p99 | ${f(direct.p99)} ms | ${f(through.p99)} ms | ${f(through.p99 - direct.p99)} ms |
| Gateway peak memory (VmHWM) | | ${f(peakMB, 0)} MB | |

Blob latency is not in these figures: blobs are one 307 away from the registry. Negative "added" latency means the gateway's in-memory manifest cache answered faster than distribution reads its files.
<!-- /gateway -->
`;
process.stdout.write(section);
const results = join(BENCH, 'RESULTS.md');
const old = existsSync(results) ? readFileSync(results, 'utf8') : '';
const marked = /<!-- gateway -->[\s\S]*<!-- \/gateway -->\n?/;
writeFileSync(results, marked.test(old) ? old.replace(marked, section) : `${old.trimEnd()}\n\n${section}`);

async function startGateway(file) {
  const child = track(spawn(process.execPath, [join(ROOT, 'bin', 'regmirror.js'), 'serve', '-c', file, '--client-rate', '0', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      err += c;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return {
    url, pid: child.pid,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}
