// `npm run bench:cpu`: the CPU each copier spends on the cold copy of the bench's workload when the
// registries cost nothing (bench/lib/instant-registry.mjs: the API answered from memory). On the
// 2-core machine the registries' own CPU bounds a copy; this isolates the copier's share of it,
// the part that separates regmirror from the bare copier at 20 ms (bench:compare). Each run copies
// into fresh registries and is checked tag by tag afterwards.
// Environment: BENCH_RUNS (5), BENCH_CONTENDERS (regmirror,bare; `base` with BENCH_REGMIRROR_BASE
// for an A/B of two builds), BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`), BENCH_BASE_NODE_ARGS
// (to `base` alone: an A/B of node flags on one build), the workload's
// BENCH_SCALE / BENCH_REPOS / … as in run.mjs. BENCH_WRITE=1 also writes bench/RESULTS-cpu.md.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './lib/cleanup.mjs';
import { startInstantRegistry } from './lib/instant.mjs';
import { seedWorkload, workloadFromEnv } from './lib/seed.mjs';
import { timed } from './lib/timed.mjs';
import { assertMirrored } from './lib/check.mjs';
import { assertBuilt, bareCopierArgs, contenderNodeArgs, regmirrorArgs, writeMirrorsYaml } from './lib/tools.mjs';
import { interleaved, median, pairedLines } from './lib/rounds.mjs';
import { bytes } from './lib/report.mjs';

const env = process.env;
const BENCH = fileURLToPath(new URL('.', import.meta.url));
assertBuilt();
const w = workloadFromEnv();
const runs = Number(env.BENCH_RUNS ?? 5);
const contenders = (env.BENCH_CONTENDERS ?? 'regmirror,bare').split(',');
const root = tempRoot();

const commands = {
  regmirror: (config, endpoints) => regmirrorArgs('sync', config, endpoints),
  base: (config, endpoints) => regmirrorArgs('sync', config, endpoints, [], env.BENCH_REGMIRROR_BASE),
  bare: (_config, endpoints) => bareCopierArgs(endpoints['quay.io'], w.repos, [endpoints['quay.io'], endpoints['ghcr.io']]),
};

let serial = 0;
let seeded;
async function coldRun(who) {
  const n = ++serial;
  const quay = await startInstantRegistry('quay');
  const ghcr = await startInstantRegistry('ghcr');
  seeded = await seedWorkload(quay, w);
  const config = writeMirrorsYaml(join(root, `mirrors-${n}.yaml`), w.repos, ['quay.io/cert-manager', 'ghcr.io/cert-manager']);
  const run = await timed(`${who}-${n}`, 'node', [...contenderNodeArgs(who), ...commands[who](config, { 'quay.io': quay, 'ghcr.io': ghcr })]);
  if (run.code !== 0) throw new Error(`${who} exited ${run.code}\n${run.stderr.slice(-2000)}`);
  await assertMirrored([...seeded.images, ...seeded.signatures], [{ reg: quay, ns: 'cert-manager' }, { reg: ghcr, ns: 'cert-manager' }]);
  await quay.stop();
  await ghcr.stop();
  process.stderr.write(`bench: ${who} #${n}: ${run.cpu.toFixed(2)} s CPU, ${run.wall.toFixed(2)} s\n`);
  return run;
}

const results = await interleaved(contenders, runs, coldRun);
const yard = results.bare ? median(results.bare.map((r) => r.cpu)) : undefined;
const lines = [
  `Cold copy of ${seeded.images.length} tags + ${seeded.signatures.length} signatures (${seeded.blobs.size} blobs, ${bytes(seeded.bytes)}) to two targets, from instant in-memory registries; ${runs} interleaved runs each, load average ${loadavg()[0].toFixed(1)} at the end.`,
  '',
  '| copier | median CPU (user + sys) | runs | CPU over the bare copier | median wall |',
  '| --- | ---: | --- | ---: | ---: |',
  ...contenders.map((who) => {
    const cpu = median(results[who].map((r) => r.cpu));
    const more = yard ? `${cpu - yard >= 0 ? '+' : ''}${(cpu - yard).toFixed(2)} s (${(cpu / yard).toFixed(2)}×)` : '—';
    return `| ${who} | ${cpu.toFixed(2)} s | ${results[who].map((r) => r.cpu.toFixed(2)).join(', ')} | ${more} | ${median(results[who].map((r) => r.wall)).toFixed(2)} s |`;
  }),
  '',
  ...pairedLines(results, contenders[0], (r) => r.cpu, 's CPU'),
  '',
];
process.stdout.write(`\n${lines.join('\n')}`);
if (env.BENCH_WRITE === '1') {
  const knobs = Object.entries(env).filter(([k]) => /^BENCH_(?!WRITE|REGMIRROR_BASE|NODE_ARGS)/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ');
  const head = `# The copiers' own CPU\n\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores · Node ${process.version} · \`${knobs} npm run bench:cpu\`\n\n`;
  writeFileSync(join(BENCH, 'RESULTS-cpu.md'), head + lines.join('\n'));
}
process.exit(0);
