// `node bench/http2.mjs`: does HTTP/2 help? The cold copy (sync into an empty registry) and the
// audit (verify, everything in sync) against registries served over TLS by a test CA, once with
// HTTP/2 (ALPN, the default) and once with `http2: false`, in alternating rounds; prints the
// figures as markdown. Environment: BENCH_ROUNDS (default 2), BENCH_DELAY_MS (each direction,
// default 0: every registry behind bench/lib/delay-proxy.mjs, which passes TLS through untouched,
// so HTTP/2 meets the round trips of a distant registry), and bench/run.mjs's BENCH_REPOS,
// BENCH_TAGS (default here 8), BENCH_PLATFORMS, BENCH_LAYER_KB, BENCH_BASE_KB, BENCH_KEEP=1.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot, track } from './lib/cleanup.mjs';
import { seedWorkload, workloadFromEnv } from './lib/seed.mjs';
import { timed } from './lib/timed.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { freePort, waitReady } from '../scripts/lib/registry-process.mjs';

const REGMIRROR = fileURLToPath(new URL('../bin/regmirror.js', import.meta.url));

// Node reads NODE_EXTRA_CA_CERTS at start-up only: make the CA, then run again trusting it
// (the seeding below uses fetch()).
if (!process.env.BENCH_H2_CERTS) {
  const dir = join(tempRoot(), 'certs');
  mkdirSync(dir, { recursive: true });
  const ssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-subj', '/CN=regmirror bench CA', '-days', '2');
  ssl('req', ...ec, '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', join(dir, 'server.pem'), '-days', '2', '-extfile', join(dir, 'ext'));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: 'inherit', env: { ...process.env, BENCH_H2_CERTS: dir, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem')},
  });
  process.exitCode = await new Promise((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
} else {
  await main(process.env.BENCH_H2_CERTS);
  // The registries are still running: exit now (cleanup.mjs kills them and removes the temp dir).
  process.exit(0);
}

/** A TLS docker-registry; `data` lets the audit registries start from the same files. */
async function startTlsRegistry(name, certs) {
  const dir = join(tempRoot(), `reg-${name}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:\n  level: warn',
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  maintenance:\n    uploadpurging:\n      enabled: false`,
    `http:\n  addr: 127.0.0.1:${port}\n  secret: regmirror-bench\n  tls:\n    certificate: ${join(certs, 'server.pem')}\n    key: ${join(certs, 'server.key')}`,
    '',
  ].join('\n'));
  const logPath = join(dir, 'registry.log');
  const fd = openSync(logPath, 'a');
  const child = track(spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  const host = `127.0.0.1:${port}`;
  await waitReady(`https://${host}`, child, logPath);
  return { name, host, url: `https://${host}` };
}

function mirrorsYaml(file, w, src, dst, ca, http2) {
  writeFileSync(file, [
    'version: 1',
    `defaults:\n  targets: [${dst.host}/cert-manager]\n  referrers: true`,
    'registries:',
    ...[src, dst].map((r) => `  ${r.host}: { caFile: ${ca}, http2: ${http2} }`),
    'images:',
    ...w.repos.map((r) => `  - source: ${src.host}/jetstack/${r}`),
    '',
  ].join('\n'));
  return file;
}

async function main(certs) {
  const env = process.env;
  const w = workloadFromEnv({ ...env, BENCH_TAGS: env.BENCH_TAGS ?? '8' });
  const rounds = Number(env.BENCH_ROUNDS ?? 2);
  const ca = join(certs, 'ca.pem');
  const delayMs = Number(env.BENCH_DELAY_MS ?? 0);
  // Seeded direct; copied through the delaying proxy (TLS end to end: the proxy only holds bytes back).
  const far = async (registry) => {
    if (delayMs === 0) return registry;
    const proxy = await startDelayProxy(registry, delayMs);
    return { ...proxy, url: `https://${proxy.host}` };
  };
  const src = await startTlsRegistry('source', certs);
  process.stderr.write(`bench: seeding ${w.repos.length} repos × ${w.tags} tags × ${w.platforms} platforms over TLS … `);
  const seeded = await seedWorkload(src, w);
  process.stderr.write(`${seeded.blobs.size} blobs\n`);
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order so that a machine getting busier does not favour one mode.
    for (const http2 of round % 2 === 1 ? [true, false] : [false, true]) {
      const dst = await far(await startTlsRegistry(`target-${round}-${http2 ? 'h2' : 'h1'}`, certs));
      const file = mirrorsYaml(join(tempRoot(), `mirrors-${round}-${http2}.yaml`), w, await far(src), dst, ca, http2);
      const mode = http2 ? 'HTTP/2' : 'HTTP/1.1';
      for (const command of ['sync', 'verify']) {
        process.stderr.write(`bench: round ${round} ${mode} ${command} … `);
        const run = await timed(`${command}-${round}-${http2}`, process.execPath, [REGMIRROR, command, '-c', file, '--no-progress', '-q']);
        process.stderr.write(`${run.wall.toFixed(2)} s (exit ${run.code})\n`);
        if (run.code !== 0) throw new Error(`${command} (${mode}) exited ${run.code}: ${run.stderr.slice(-2000)}`);
        rows.push({ round, mode, command: command === 'sync' ? 'cold copy (sync)' : 'audit (verify)', wall: run.wall, cpu: run.cpu, rss: run.maxRssMB });
      }
    }
  }
  const best = (mode, command, key) => Math.min(...rows.filter((r) => r.mode === mode && r.command === command).map((r) => r[key]));
  const out = [
    `# HTTP/2 vs HTTP/1.1 over TLS (${w.repos.length} repos × ${w.tags} tags × ${w.platforms} platforms, ${seeded.blobs.size} blobs; loopback, ${delayMs > 0 ? `${delayMs} ms each way` : 'no added latency'})`,
    '',
    '| phase | HTTP/2 wall s | HTTP/1.1 wall s | h2 / h1 | HTTP/2 CPU s | HTTP/1.1 CPU s | HTTP/2 peak RSS MB | HTTP/1.1 peak RSS MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...['cold copy (sync)', 'audit (verify)'].map((c) => {
      const [h2w, h1w] = [best('HTTP/2', c, 'wall'), best('HTTP/1.1', c, 'wall')];
      const peak = (mode) => Math.max(...rows.filter((r) => r.mode === mode && r.command === c).map((r) => r.rss)).toFixed(0);
      return `| ${c} | ${h2w.toFixed(2)} | ${h1w.toFixed(2)} | ${(h2w / h1w).toFixed(2)} | ${best('HTTP/2', c, 'cpu').toFixed(2)} | ${best('HTTP/1.1', c, 'cpu').toFixed(2)} | ${peak('HTTP/2')} | ${peak('HTTP/1.1')} |`;
    }),
    '',
    `Best of ${rounds} round(s) each; every run: ${rows.map((r) => `${r.mode} ${r.command} ${r.wall.toFixed(2)} s`).join('; ')}.`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}
