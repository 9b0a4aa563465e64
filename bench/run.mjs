// `npm run bench`: regmirror against skopeo on the same release workload, on local registries.
// Prints one markdown report; at the default scale it is also written to bench/RESULTS.md.
// Environment: BENCH_SCALE (tag count multiplier), BENCH_REPOS, BENCH_TAGS, BENCH_PLATFORMS,
// BENCH_LAYER_KB, BENCH_BASE_KB, BENCH_LARGE=0 (skip the large layer), BENCH_LARGE_MB,
// BENCH_REGMIRROR (path of another bin/regmirror.js), BENCH_CONCURRENCY (regmirror --concurrency), BENCH_REG_CONCURRENCY (per-registry),
// BENCH_PARALLEL=1 (also time one skopeo per repository and an xargs -P4 audit; ~4 min more), BENCH_KEEP=1 (keep the temp dir).
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
import { regmirrorArgs, skopeoAuditScript, skopeoSyncScript, writeMirrorsYaml } from './lib/tools.mjs';
import { bytes, headline, whereTimeGoes } from './lib/report.mjs';

const env = process.env;
const BENCH = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(join(BENCH, '..', 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
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

// Source registry, seeded once; skopeo's registries start from a copy of the same files.
const quay = await startRegistry('quay');
process.stderr.write(`bench: seeding ${w.repos.length} repos × ${w.tags} tags × ${w.platforms} platforms into ${quay.url} … `);
const seeded = await seedWorkload(quay, w);
const byName = (a, b) => `${a.repo}:${a.tag}`.localeCompare(`${b.repo}:${b.tag}`);
seeded.images.sort(byName);
process.stderr.write(`${seeded.blobs.size} blobs, ${bytes(seeded.bytes)}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const copyOf = (name) => {
  const dir = join(root, `data-${name}`);
  cpSync(quay.dataDir, dir, { recursive: true });
  return dir;
};
const ghcr = await startRegistry('ghcr');
const quayS = await startRegistry('quay-skopeo', copyOf('quay-skopeo'));
const ghcrS = await startRegistry('ghcr-skopeo');
const quayP = parallel ? await startRegistry('quay-skopeo-par', copyOf('quay-skopeo-par')) : undefined;
const ghcrP = parallel ? await startRegistry('ghcr-skopeo-par') : undefined;
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
cold.skopeo = await skopeoSync('skopeo sync, sequential (cold)', quayS, ghcrS, homeS, false);
await assertMirrored(allTags, targetsOf(quayS, ghcrS));
if (parallel) {
  cold.skopeoParallel = await skopeoSync('skopeo sync, one per repo (cold)', quayP, ghcrP, homeP, true);
  await assertMirrored(allTags, targetsOf(quayP, ghcrP));
}

// Warm: the same again with nothing to do.
const warm = {};
warm.regmirror = await sync('regmirror sync (warm)');
warm.skopeo = await skopeoSync('skopeo sync, sequential (warm)', quayS, ghcrS, homeS, false);
if (parallel) warm.skopeoParallel = await skopeoSync('skopeo sync, one per repo (warm)', quayP, ghcrP, homeP, true);

// Audit: every tag against both targets.
const audit = { pairs: seeded.images.length * 2 };
audit.regmirror = await measure('regmirror verify', [quay, ghcr], 'node', regmirrorArgs('verify', config, endpoints, ['--format', 'json', '-o', join(root, 'verify.json')]));
const auditTargets = [`${quay.host}/cert-manager`, `${ghcr.host}/cert-manager`];
const homeA = home('audit');
audit.skopeo = await measure('skopeo inspect loop', [quay, ghcr], 'bash', [skopeoAuditScript('audit-seq', quay, seeded.images, auditTargets, false)], { env: homeA });
if (parallel) audit.skopeoParallel = await measure('skopeo inspect loop, xargs -P4', [quay, ghcr], 'bash', [skopeoAuditScript('audit-par', quay, seeded.images, auditTargets, true)], { env: homeA });

// Evidence from the registries' own logs.
const sourceOf = (phase) => phase.registries[0].requests;
const reads = { regmirror: blobReads(sourceOf(cold.regmirror), '/v2/jetstack/'), skopeo: blobReads(sourceOf(cold.skopeo), '/v2/jetstack/') };
const sameRegistry = {
  regmirror: blobWrites(sourceOf(cold.regmirror), '/v2/cert-manager/', seeded.blobs),
  skopeo: blobWrites(sourceOf(cold.skopeo), '/v2/cert-manager/', seeded.blobs),
};

// Peak memory: one large layer to two registries other than the source's.
let large;
if (largeMB > 0) {
  const mirror = await startRegistry('mirror');
  process.stderr.write(`bench: seeding a ${largeMB} MiB layer … `);
  const img = await seedLargeImage(quay, 'big', largeMB);
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
const phases = [cold.regmirror, cold.skopeo, cold.skopeoParallel, warm.regmirror, warm.skopeo, warm.skopeoParallel, audit.regmirror, audit.skopeo, audit.skopeoParallel, large?.run].filter(Boolean);
const report = [
  '# regmirror benchmark',
  '',
  `${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${bytes(totalmem())} RAM · Node ${process.version} · ${version('skopeo', ['--version'])} · docker-registry ${version('docker-registry', ['--version']).split(' ').slice(-1)[0]} · load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
  '',
  `Workload: ${w.repos.length} repositories × ${w.tags} tags × ${w.platforms} platforms (OCI index → platform manifests → config + a ${bytes(w.baseBytes)} base layer shared by every image of that platform + a ${bytes(w.layerBytes)} layer of its own), and a cosign \`.sig\` tag per tag: ${seeded.blobs.size} distinct blobs, ${bytes(seeded.bytes)}. Targets: \`quay.io/cert-manager\` (same registry as the source \`quay.io/jetstack\`) and \`ghcr.io/cert-manager\`, each a local \`docker-registry\` on 127.0.0.1; each tool copies into its own empty registries seeded from the same files. Times are wall clock of one run; regmirror ran with its defaults${env.BENCH_CONCURRENCY ? ` and --concurrency ${env.BENCH_CONCURRENCY}` : ''}.`,
  '',
  headline(results),
  '',
  '## Where the time goes',
  '',
  'CPU seconds are user + system, of the tool (with every process it started) and of the registry processes; requests are counted in the registries\' access logs.',
  '',
  whereTimeGoes(phases),
  '',
  `Same-registry copy, from the quay registry's log: regmirror ${sameRegistry.regmirror.uploads} uploads, ${sameRegistry.regmirror.patches} PATCH, ${sameRegistry.regmirror.mounts} mounts (${sameRegistry.regmirror.mountFallbacks} answered with an upload session); skopeo ${sameRegistry.skopeo.uploads} uploads (${bytes(sameRegistry.skopeo.bytes)}), ${sameRegistry.skopeo.mounts} mounts. Source blob GETs: regmirror ${reads.regmirror.reads} for ${reads.regmirror.distinct} distinct blobs (at most ${reads.regmirror.maxPerDigest} per blob); skopeo ${reads.skopeo.reads} (at most ${reads.skopeo.maxPerDigest} per blob).`,
  '',
  `Reproduce: \`npm run build && ${parallel ? 'BENCH_PARALLEL=1 ' : ''}npm run bench\` (about 4 minutes on this machine; quick: \`BENCH_SCALE=0.25 BENCH_LARGE=0 npm run bench\`).`,
  '',
].join('\n');
process.stdout.write(`\n${report}`);
const isDefault = !Object.keys(env).some((k) => /^BENCH_(SCALE|REPOS|TAGS|PLATFORMS|LAYER_KB|BASE_KB|LARGE|LARGE_MB|CONCURRENCY|REG_CONCURRENCY|REGMIRROR)$/.test(k));
if (isDefault) writeFileSync(join(BENCH, 'RESULTS.md'), report);
process.stderr.write(`bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s${isDefault ? '; wrote bench/RESULTS.md' : ''}\n`);
// The registries are still running: exit now (cleanup.mjs kills them and removes the temp dir).
process.exit(0);
