// `npm run bench`: regmirror against skopeo on the same release workload, on local registries.
// Prints one markdown report; at the default scale it is also written to bench/RESULTS.md.
// Environment: BENCH_SCALE (tag count multiplier), BENCH_REPOS, BENCH_TAGS, BENCH_PLATFORMS,
// BENCH_LAYER_KB, BENCH_BASE_KB, BENCH_LARGE=0 (skip the large layer), BENCH_LARGE_MB,
// BENCH_REGMIRROR (path of another bin/regmirror.js), BENCH_CONCURRENCY (regmirror --concurrency), BENCH_REG_CONCURRENCY (per-registry),
// BENCH_PARALLEL=1 (also time one skopeo per repository and an xargs -P4 audit; ~4 min more), BENCH_KEEP=1 (keep the temp dir),
// BENCH_PROFILE=wan (every registry behind a proxy delaying each direction by BENCH_DELAY_MS, default 20; written to
// bench/RESULTS-wan.md), BENCH_SKOPEO=0 (skip skopeo's rows: at WAN latency its sequential sync takes many minutes),
// BENCH_QUICK=1 (= BENCH_SCALE=0.25 BENCH_LARGE=0), BENCH_GATEWAY=0 (skip the gateway run, bench/gateway.mjs, at the end).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './lib/cleanup.mjs';
import { startRegistry } from './lib/registry.mjs';
import { seedWorkload, workloadFromEnv } from './lib/seed.mjs';
import { seedLargeImage } from './lib/large.mjs';
import { measure } from './lib/phase.mjs';
import { assertMirrored } from './lib/check.mjs';
import { blobReads, blobWrites } from './lib/metrics.mjs';
import { assertBuilt, bareCopierArgs, regmirrorArgs, skopeoAuditScript, skopeoSyncScript, writeMirrorsYaml } from './lib/tools.mjs';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { assertWholeBySkopeo } from './lib/deep-check.mjs';
import { bytes, headline, whereTimeGoes } from './lib/report.mjs';

const env = process.env;
if (env.BENCH_QUICK === '1') Object.assign(env, { BENCH_SCALE: env.BENCH_SCALE ?? '0.25', BENCH_LARGE: env.BENCH_LARGE ?? '0' });
const wan = env.BENCH_PROFILE === 'wan';
const delayMs = wan ? Number(env.BENCH_DELAY_MS ?? 20) : 0;
const withSkopeo = env.BENCH_SKOPEO !== '0';
/** A registry as the tools see it: behind a delaying proxy in the WAN profile. */
const far = (reg) => (delayMs > 0 ? startDelayProxy(reg, delayMs) : reg);
const BENCH = fileURLToPath(new URL('.', import.meta.url));
assertBuilt();
const w = workloadFromEnv();
const parallel = env.BENCH_PARALLEL === '1';
const largeMB = env.BENCH_LARGE === '0' ? 0 : Number(env.BENCH_LARGE_MB ?? 1024);
const root = tempRoot();
const started = Date.now();
const loadAtStart = loadavg()[0];
process.on('unhandledRejection', (err) => {
  process.stderr.write(`\nbench: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});

// Source registry, seeded once (directly); the other registries start from a copy of the same files.
const quayNear = await startRegistry('quay');
process.stderr.write(`bench: seeding ${w.repos.length} repos × ${w.tags} tags × ${w.platforms} platforms into ${quayNear.url} … `);
const seeded = await seedWorkload(quayNear, w);
const byName = (a, b) => `${a.repo}:${a.tag}`.localeCompare(`${b.repo}:${b.tag}`);
seeded.images.sort(byName);
process.stderr.write(`${seeded.blobs.size} blobs, ${bytes(seeded.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const copyOf = (name) => {
  const dir = join(root, `data-${name}`);
  cpSync(quayNear.dataDir, dir, { recursive: true });
  return dir;
};
const quay = await far(quayNear);
const ghcr = await far(await startRegistry('ghcr'));
const quayB = await far(await startRegistry('quay-bare', copyOf('quay-bare')));
const ghcrB = await far(await startRegistry('ghcr-bare'));
const quayS = withSkopeo ? await far(await startRegistry('quay-skopeo', copyOf('quay-skopeo'))) : undefined;
const ghcrS = withSkopeo ? await far(await startRegistry('ghcr-skopeo')) : undefined;
const quayP = parallel && withSkopeo ? await far(await startRegistry('quay-skopeo-par', copyOf('quay-skopeo-par'))) : undefined;
const ghcrP = parallel && withSkopeo ? await far(await startRegistry('ghcr-skopeo-par')) : undefined;
const home = (name) => {
  const dir = join(root, `home-${name}`); // skopeo's blob-info cache lives under $HOME
  mkdirSync(dir, { recursive: true });
  return { HOME: dir, XDG_RUNTIME_DIR: dir };
};
const homeS = home('skopeo');
const homeP = home('skopeo-par');

const endpoints = { 'quay.io': quay, 'ghcr.io': ghcr };
const config = writeMirrorsYaml(join(root, 'mirrors.yaml'), w.repos, ['quay.io/cert-manager', 'ghcr.io/cert-manager'], env.BENCH_REG_CONCURRENCY);
const allTags = [...seeded.images, ...seeded.signatures];
const targetsOf = (q, g) => [{ reg: q, ns: 'cert-manager' }, { reg: g, ns: 'cert-manager' }];
const sync = (label, extra = []) => measure(label, [quay, ghcr], 'node', regmirrorArgs('sync', config, endpoints, extra));
const skopeoSync = (label, q, g, h, par) =>
  measure(label, [q, g], 'bash', [skopeoSyncScript(label.replace(/\W+/g, '-'), q, w.repos, [`${q.host}/cert-manager`, `${g.host}/cert-manager`], par)], { env: h });

// Cold copies into empty targets.
const cold = {};
cold.regmirror = await sync('regmirror sync (cold)', ['--report', join(root, 'cold-report.json')]);
await assertMirrored(allTags, targetsOf(quay, ghcr));
// The yardstick: the same copy with no checks (bench/lib/bare-copier.mjs), proven the same way.
const bareArgs = bareCopierArgs(quayB, w.repos, [quayB, ghcrB]);
cold.bare = await measure('bare parallel copier (cold)', [quayB, ghcrB], 'node', bareArgs, { env: { BARE_CONCURRENCY: env.BENCH_REG_CONCURRENCY ?? '8' } });
await assertMirrored(allTags, targetsOf(quayB, ghcrB));
const sample = seeded.images.filter((img, i) => i % w.tags === 0); // one tag per repository, read whole by skopeo
await assertWholeBySkopeo(sample, targetsOf(quayNear, ghcr.registry ?? ghcr));
await assertWholeBySkopeo(sample, targetsOf(quayB.registry ?? quayB, ghcrB.registry ?? ghcrB));
if (withSkopeo) {
  cold.skopeo = await skopeoSync('skopeo sync, sequential (cold)', quayS, ghcrS, homeS, false);
  await assertMirrored(allTags, targetsOf(quayS, ghcrS));
}
if (parallel && withSkopeo) {
  cold.skopeoParallel = await skopeoSync('skopeo sync, one per repo (cold)', quayP, ghcrP, homeP, true);
  await assertMirrored(allTags, targetsOf(quayP, ghcrP));
}

// Warm: the same again with nothing to do.
const warm = {};
warm.regmirror = await sync('regmirror sync (warm)');
if (withSkopeo) warm.skopeo = await skopeoSync('skopeo sync, sequential (warm)', quayS, ghcrS, homeS, false);
if (parallel && withSkopeo) warm.skopeoParallel = await skopeoSync('skopeo sync, one per repo (warm)', quayP, ghcrP, homeP, true);

// Audit: every tag against both targets.
const audit = { pairs: seeded.images.length * 2 };
audit.regmirror = await measure('regmirror verify', [quay, ghcr], 'node', regmirrorArgs('verify', config, endpoints, ['--format', 'json', '-o', join(root, 'verify.json')]));
const auditTargets = [`${quay.host}/cert-manager`, `${ghcr.host}/cert-manager`];
const homeA = home('audit');
if (withSkopeo) audit.skopeo = await measure('skopeo inspect loop', [quay, ghcr], 'bash', [skopeoAuditScript('audit-seq', quay, seeded.images, auditTargets, false)], { env: homeA });
if (parallel && withSkopeo) audit.skopeoParallel = await measure('skopeo inspect loop, xargs -P4', [quay, ghcr], 'bash', [skopeoAuditScript('audit-par', quay, seeded.images, auditTargets, true)], { env: homeA });

// Evidence from the registries' own logs.
const sourceOf = (phase) => phase.registries[0].requests;
const reads = { regmirror: blobReads(sourceOf(cold.regmirror), '/v2/jetstack/'), skopeo: cold.skopeo && blobReads(sourceOf(cold.skopeo), '/v2/jetstack/') };
const sameRegistry = {
  regmirror: blobWrites(sourceOf(cold.regmirror), '/v2/cert-manager/', seeded.blobs),
  skopeo: cold.skopeo && blobWrites(sourceOf(cold.skopeo), '/v2/cert-manager/', seeded.blobs),
};

// Peak memory: one large layer to two registries other than the source's.
let large;
if (largeMB > 0) {
  const mirror = await far(await startRegistry('mirror'));
  process.stderr.write(`bench: seeding a ${largeMB} MiB layer … `);
  const img = await seedLargeImage(quayNear, 'big', largeMB);
  process.stderr.write('done\n');
  const bigConfig = writeMirrorsYaml(join(root, 'large.yaml'), ['big'], ['ghcr.io/cert-manager', 'mirror.io/cert-manager'], env.BENCH_REG_CONCURRENCY);
  const run = await measure(`regmirror sync, ${largeMB} MiB layer`, [quay, ghcr, mirror], 'node', regmirrorArgs('sync', bigConfig, { ...endpoints, 'mirror.io': mirror }));
  await assertMirrored([{ repo: 'big', tag: 'v1.0.0', digest: img.digest }], [{ reg: ghcr, ns: 'cert-manager' }, { reg: mirror, ns: 'cert-manager' }]);
  const bigReads = run.registries[0].requests.filter((q) => q.method === 'GET' && q.status === 200 && q.path.startsWith('/v2/jetstack/big/blobs/') && q.bytesOut >= img.layerBytes);
  large = { layerBytes: img.layerBytes, run, reads: bigReads.length };
}

const workload = { images: seeded.images.length, blobs: seeded.blobs.size };
const results = { workload, cold, warm, audit, reads, sameRegistry, large };
const version = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
const phases = [cold.regmirror, cold.bare, cold.skopeo, cold.skopeoParallel, warm.regmirror, warm.skopeo, warm.skopeoParallel, audit.regmirror, audit.skopeo, audit.skopeoParallel, large?.run].filter(Boolean);
const report = [
  '# regmirror benchmark',
  '',
  `${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${bytes(totalmem())} RAM · Node ${process.version} · ${version('skopeo', ['--version'])} · docker-registry ${version('docker-registry', ['--version']).split(' ').slice(-1)[0]} · load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
  '',
  `Workload: ${w.repos.length} repositories × ${w.tags} tags × ${w.platforms} platforms (OCI index → platform manifests → config + a ${bytes(w.baseBytes)} base layer shared by every image of that platform + a ${bytes(w.layerBytes)} layer of its own), and a cosign \`.sig\` tag per tag: ${seeded.blobs.size} distinct blobs, ${bytes(seeded.bytes)}. Targets: \`quay.io/cert-manager\` (same registry as the source \`quay.io/jetstack\`) and \`ghcr.io/cert-manager\`, each a local \`docker-registry\` on 127.0.0.1${delayMs > 0 ? `, reached through a proxy that delays each direction by ${delayMs} ms (a ${2 * delayMs} ms round trip, the WAN profile)` : ''}; each tool copies into its own empty registries seeded from the same files. Times are wall clock of one run; regmirror ran with its defaults${env.BENCH_CONCURRENCY ? ` and --concurrency ${env.BENCH_CONCURRENCY}` : ''}. The bare copier (\`bench/lib/bare-copier.mjs\`) is the yardstick: a plain parallel copy on undici with the same connections per registry and no checks at all.`,
  '',
  headline(results),
  '',
  '## Where the time goes',
  '',
  'CPU seconds are user + system, of the tool (with every process it started) and of the registry processes; requests are counted in the registries\' access logs.',
  '',
  whereTimeGoes(phases),
  '',
  `Same-registry copy, from the quay registry's log: regmirror ${sameRegistry.regmirror.uploads} uploads, ${sameRegistry.regmirror.patches} PATCH, ${sameRegistry.regmirror.mounts} mounts (${sameRegistry.regmirror.mountFallbacks} answered with an upload session)${sameRegistry.skopeo ? `; skopeo ${sameRegistry.skopeo.uploads} uploads (${bytes(sameRegistry.skopeo.bytes)}), ${sameRegistry.skopeo.mounts} mounts` : ''}. Source blob GETs: regmirror ${reads.regmirror.reads} for ${reads.regmirror.distinct} distinct blobs (at most ${reads.regmirror.maxPerDigest} per blob)${reads.skopeo ? `; skopeo ${reads.skopeo.reads} (at most ${reads.skopeo.maxPerDigest} per blob)` : ''}.`,
  '',
  `Reproduce: \`npm run build && ${wan ? 'BENCH_PROFILE=wan ' : ''}${parallel ? 'BENCH_PARALLEL=1 ' : ''}${withSkopeo ? '' : 'BENCH_SKOPEO=0 '}npm run bench\` (quick: add \`BENCH_QUICK=1\`). Regmirror against the bare copier, interleaved over several cold runs with medians: \`npm run bench:compare\` (\`bench/RESULTS-compare-20ms.md\`)${wan ? '' : '; the same figures at 20 ms each way: `BENCH_PROFILE=wan npm run bench` (`bench/RESULTS-wan.md`)'}.`,
  '',
].join('\n');
process.stdout.write(`\n${report}`);
const isDefault = !Object.keys(env).some((k) => /^BENCH_(SCALE|REPOS|TAGS|PLATFORMS|LAYER_KB|BASE_KB|LARGE|LARGE_MB|CONCURRENCY|REG_CONCURRENCY|REGMIRROR|DELAY_MS|QUICK)$/.test(k));
const resultsFile = wan ? 'RESULTS-wan.md' : 'RESULTS.md';
// A quick WAN run is worth keeping (its workload line says the scale); a quick LAN run never replaces the full one.
// The gateway's section (bench/gateway.mjs, between its markers) is kept, then refreshed below.
const gatewaySection = (existsSync(join(BENCH, resultsFile)) ? readFileSync(join(BENCH, resultsFile), 'utf8') : '').match(/<!-- gateway -->[\s\S]*<!-- \/gateway -->\n?/)?.[0];
if (isDefault || (wan && env.BENCH_QUICK === '1')) writeFileSync(join(BENCH, resultsFile), gatewaySection ? `${report}\n${gatewaySection}` : report);
process.stderr.write(`bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s${isDefault || (wan && env.BENCH_QUICK === '1') ? `; wrote bench/${resultsFile}` : ''}\n`);
// The gateway (issue 12): 200 concurrent clients through `regmirror serve` against the registry directly.
if (!wan && env.BENCH_GATEWAY !== '0') {
  process.stderr.write('bench: the gateway (BENCH_GATEWAY=0 skips it) …\n');
  execFileSync(process.execPath, [join(BENCH, 'gateway.mjs')], { stdio: 'inherit' });
}
// The registries are still running: exit now (cleanup.mjs kills them and removes the temp dir).
process.exit(0);
