// `npm run bench:compare`: cold copies by regmirror and by the bare parallel copier (the
// yardstick, bench/lib/bare-copier.mjs), interleaved in the same conditions, several runs each,
// behind delaying proxies (a WAN on loopback); prints the medians. Each run starts from fresh
// registries (the seeded source copied, empty targets), so every run is a real cold copy.
// Environment: BENCH_DELAY_MS (each direction, default 20; 0 = plain loopback), BENCH_RUNS (3),
// BENCH_CONTENDERS (regmirror,bare; add `base` with BENCH_REGMIRROR_BASE=path/to/bin/regmirror.js
// for an A/B of two builds; `regmirror@32` runs it with --concurrency 32), the workload's BENCH_SCALE /
// BENCH_REPOS / … as in run.mjs; BENCH_SYNC_ARGS go to regmirror's sync (and base's): with BENCH_REPOS=1
// BENCH_TAGS=1, `--tag v1.10.0` is the release-time run; BENCH_PREPARE_ARGS (e.g. `--tag v1.10.0`, with
// BENCH_TAGS=2 and BENCH_SYNC_ARGS='--tag v1.10.1') has the current build sync those first, untimed: a
// release into repositories that hold the one before. BENCH_WRITE=1 also writes the table to bench/RESULTS-compare-[instant-]<delay>ms.md;
// BENCH_DEBUG=1 prints each run's user/system CPU, the connections each proxy saw and the machine's busy cores
// per half second (bench/lib/busy.mjs: where a copy bound by CPU leaves any idle); BENCH_TIMELINE=DIR
// has each copier write its requests' timeline there (bench/lib/timeline-preload.mjs; read them with
// `node bench/timeline.mjs DIR/*.json`); BENCH_BASE_NODE_ARGS go to `base` alone (an A/B of node flags on
// one build); BARE_EXTRA_CPU_US reaches the bare copier (CPU it spends around each request). The registries'
// and the proxies' CPU are columns too: on 2 cores everything competes with the copier.
// BENCH_REGISTRY=instant puts instant registries (bench/lib/instant-registry.mjs: the API from
// memory, no disk, no hashing) behind the proxies instead of `docker-registry`: on 2 cores the
// registries' CPU bounds a copy even at 50 ms, where quay.io and ghcr.io, seen from one client,
// are bound by round trips alone; this measures that. BENCH_REGISTRY_PROFILE=DIR (real registries)
// writes each registry's Go CPU profiles of each run there (DIR/<copier>-<run>-<quay|ghcr>-<k>.pb.gz):
// `node bench/registry-profile.mjs DIR/*.pb.gz` says where the registries' CPU went, per copier.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './lib/cleanup.mjs';
import { startRegistry } from './lib/registry.mjs';
import { startInstantRegistry } from './lib/instant.mjs';
import { seedWorkload, workloadFromEnv } from './lib/seed.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { measure } from './lib/phase.mjs';
import { busyWhile } from './lib/busy.mjs';
import { timed } from './lib/timed.mjs';
import { assertMirrored } from './lib/check.mjs';
import { assertWholeBySkopeo } from './lib/deep-check.mjs';
import { assertBuilt, bareCopierArgs, contenderNodeArgs, regmirrorArgs, writeMirrorsYaml } from './lib/tools.mjs';
import { interleaved, median, pairedLines } from './lib/rounds.mjs';
import { bytes, requestCounts } from './lib/report.mjs';

const env = process.env;
const BENCH = fileURLToPath(new URL('.', import.meta.url));
assertBuilt();
const w = workloadFromEnv();
const delayMs = Number(env.BENCH_DELAY_MS ?? 20);
const runs = Number(env.BENCH_RUNS ?? 3);
const contenders = (env.BENCH_CONTENDERS ?? 'regmirror,bare').split(',');
const instant = env.BENCH_REGISTRY === 'instant';
const root = tempRoot();
if (env.BENCH_TIMELINE) mkdirSync(env.BENCH_TIMELINE, { recursive: true });
const profileDir = instant ? undefined : env.BENCH_REGISTRY_PROFILE;
if (profileDir) mkdirSync(profileDir, { recursive: true });
process.on('unhandledRejection', (err) => {
  process.stderr.write(`\nbench: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});

const source = instant ? await startInstantRegistry('seed') : await startRegistry('seed');
process.stderr.write(`bench: seeding ${w.repos.length} repos × ${w.tags} tags × ${w.platforms} platforms … `);
const seeded = await seedWorkload(source, w);
process.stderr.write(`${seeded.blobs.size} blobs, ${bytes(seeded.bytes)}\n`);
await source.stop();

/** Fresh registries for one run: quay holding the seeded source, ghcr empty. */
async function freshRegistries(n) {
  if (instant) {
    const quay = await startInstantRegistry(`quay-${n}`);
    await seedWorkload(quay, w); // the same bytes every time: the content is derived from names
    return { quay, ghcr: await startInstantRegistry(`ghcr-${n}`) };
  }
  const data = join(root, `data-${n}`);
  cpSync(source.dataDir, data, { recursive: true });
  const profile = profileDir !== undefined;
  return { quay: await startRegistry(`quay-${n}`, data, { profile }), ghcr: await startRegistry(`ghcr-${n}`, undefined, { profile }) };
}
const allTags = [...seeded.images, ...seeded.signatures];

const words = (v) => (v ?? '').split(' ').filter(Boolean);
const syncArgs = words(env.BENCH_SYNC_ARGS);
const commands = {
  regmirror: (config, endpoints, extra) => ['node', regmirrorArgs('sync', config, endpoints, [...extra, ...syncArgs])],
  base: (config, endpoints, extra) => ['node', regmirrorArgs('sync', config, endpoints, [...extra, ...syncArgs], env.BENCH_REGMIRROR_BASE)],
  bare: (config, endpoints) => ['node', bareCopierArgs(endpoints['quay.io'], w.repos, [endpoints['quay.io'], endpoints['ghcr.io']]), { BARE_CONCURRENCY: env.BENCH_REG_CONCURRENCY ?? '8' }],
};

let serial = 0;
/** One cold copy by `who` into fresh registries; returns the measured phase. */
async function coldRun(who) {
  const n = ++serial;
  const { quay, ghcr } = await freshRegistries(n);
  const near = { 'quay.io': quay, 'ghcr.io': ghcr };
  const far = delayMs > 0 ? { 'quay.io': await startDelayProxy(quay, delayMs), 'ghcr.io': await startDelayProxy(ghcr, delayMs) } : near;
  const config = writeMirrorsYaml(join(root, `mirrors-${n}.yaml`), w.repos, ['quay.io/cert-manager', 'ghcr.io/cert-manager'], env.BENCH_REG_CONCURRENCY);
  if (env.BENCH_PREPARE_ARGS) {
    // A warm target: the current build syncs these first (e.g. `--tag v1.10.0`), untimed.
    const prep = await timed(`prepare #${n}`, 'node', regmirrorArgs('sync', config, far, words(env.BENCH_PREPARE_ARGS)));
    if (prep.code !== 0) throw new Error(`prepare #${n} exited ${prep.code}: ${prep.stderr}`);
  }
  const [name, jobs] = who.split('@');
  const [cmd, args, extraEnv] = commands[name](config, far, jobs ? ['--concurrency', jobs] : []);
  const nodeArgs = contenderNodeArgs(name);
  if (env.BENCH_TIMELINE) nodeArgs.push('--import', join(BENCH, 'lib', 'timeline-preload.mjs'));
  const proxyBefore = process.cpuUsage();
  const running = measure(`${who} #${n}`, [quay, ghcr], cmd, [...nodeArgs, ...args], { env: extraEnv });
  const busy = env.BENCH_DEBUG ? busyWhile(running, cpus().length) : Promise.resolve([]);
  const profiles = profileDir ? Object.entries(near).map(([host, reg]) => reg.profileWhile(running).then((windows) => [host, windows])) : [];
  const phase = await running;
  const proxy = process.cpuUsage(proxyBefore);
  for (const [host, windows] of await Promise.all(profiles)) {
    windows.forEach((bytes, k) => writeFileSync(join(profileDir, `${name}-${n}-${host.split('.')[0]}-${k}.pb.gz`), bytes));
  }
  // The delaying proxies run in this process: their CPU competes with the copier's and the registries'.
  phase.proxyCpu = (proxy.user + proxy.system) / 1e6;
  if (env.BENCH_DEBUG) {
    const connections = delayMs > 0 ? Object.entries(far).map(([h, r]) => `${h.split('.')[0]} ${r.stats.connections}`).join(', ') : 'no proxies';
    process.stderr.write(`  user ${phase.user} sys ${phase.sys} rss ${phase.maxRssMB.toFixed(0)} MB; connections: ${connections}\n`);
    process.stderr.write(`  busy cores per 0.5 s: ${(await busy).map((b) => b.toFixed(1)).join(' ')}\n`);
  }
  const targets = [{ reg: quay, ns: 'cert-manager' }, { reg: ghcr, ns: 'cert-manager' }];
  await assertMirrored(allTags, targets);
  await assertWholeBySkopeo(seeded.images.filter((img, i) => i % w.tags === 0), targets);
  for (const r of Object.values(far)) if (r.close) await r.close();
  await quay.stop();
  await ghcr.stop();
  return phase;
}

const results = await interleaved(contenders, runs, coldRun);
const yard = results.bare ? median(results.bare.map((p) => p.wall)) : undefined;
const lines = [
  `Cold copy of ${seeded.images.length} tags + ${seeded.signatures.length} signatures (${seeded.blobs.size} blobs, ${bytes(seeded.bytes)}) to two targets${instant ? ' (instant registries)' : ''}, ${delayMs > 0 ? `${delayMs} ms each way (${2 * delayMs} ms round trip)` : 'plain loopback'}; ${runs} interleaved runs each, load average ${loadavg()[0].toFixed(1)} at the end.`,
  '',
  '| copier | median wall | runs | speed vs bare copier | tool CPU (median) | registries CPU | proxies CPU | requests (median run) |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |',
  ...contenders.map((who) => {
    const walls = results[who].map((p) => p.wall);
    const mid = results[who].find((p) => p.wall === median(walls));
    const speed = yard ? `${(yard / median(walls)).toFixed(2)}×` : '—';
    return `| ${who} | ${median(walls).toFixed(2)} s | ${walls.map((x) => x.toFixed(2)).join(', ')} | ${speed} | ${median(results[who].map((p) => p.cpu)).toFixed(2)} s | ${median(results[who].map((p) => p.registryCpu)).toFixed(2)} s | ${median(results[who].map((p) => p.proxyCpu)).toFixed(2)} s | ${requestCounts(mid)} |`;
  }),
  '',
  ...pairedLines(results, contenders[0], (p) => p.wall),
  '',
];
process.stdout.write(`\n${lines.join('\n')}`);
if (env.BENCH_WRITE === '1') {
  const knobs = Object.entries(env).filter(([k]) => /^(BENCH_(?!WRITE|REGMIRROR_BASE|NODE_ARGS|TIMELINE|REGISTRY_PROFILE)|BARE_)/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ');
  const head = `# regmirror against the bare copier\n\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores · Node ${process.version} · \`${knobs} npm run bench:compare\`\n\n`;
  writeFileSync(join(BENCH, `RESULTS-compare-${instant ? 'instant-' : ''}${delayMs}ms.md`), head + lines.join('\n'));
}
process.exit(0);
