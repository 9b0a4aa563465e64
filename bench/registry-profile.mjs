// `node bench/registry-profile.mjs DIR/*.pb.gz`: where the registries' CPU went, from the Go CPU
// profiles `BENCH_REGISTRY_PROFILE=DIR npm run bench:compare` wrote (<copier>-<run>-<quay|ghcr>-<k>.pb.gz,
// the windows of one registry's run). Per copier and registry: CPU seconds per run, and the
// functions that took the most, with all they called (cumulative) and alone (flat). On 2 cores
// the registries' CPU competes with the copier's, so this says what a copier can and cannot change.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

const TOP = Number(process.env.TOP ?? 20);
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node bench/registry-profile.mjs DIR/*.pb.gz (written by BENCH_REGISTRY_PROFILE=DIR npm run bench:compare)\n');
  process.exit(2);
}

/** One group per copier and registry: its runs, CPU nanoseconds, and per function cumulative and flat. */
const groups = new Map();
for (const file of files) {
  const m = /^(.+)-(\d+)-([a-z]+)-\d+\.pb\.gz$/.exec(basename(file));
  if (!m) throw new Error(`${file}: not named <copier>-<run>-<registry>-<k>.pb.gz`);
  const key = `${m[1]} ${m[3]}`;
  if (!groups.has(key)) groups.set(key, { runs: new Set(), total: 0, cum: new Map(), flat: new Map() });
  const g = groups.get(key);
  g.runs.add(m[2]);
  add(g, Profile.decode(gunzipSync(readFileSync(file))));
}

function add(g, profile) {
  const strings = profile.stringTable.strings;
  const names = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
  // A location's lines are innermost first: functions inlined into the one that holds the address.
  const frames = new Map(profile.location.map((l) => [Number(l.id), l.line.map((line) => names.get(Number(line.functionId)))]));
  const cpu = profile.sampleType.findIndex((t) => strings[Number(t.type)] === 'cpu');
  for (const sample of profile.sample) {
    const ns = Number(sample.value[cpu]);
    g.total += ns;
    const stack = sample.locationId.flatMap((id) => frames.get(Number(id)) ?? []);
    if (stack.length > 0) g.flat.set(stack[0], (g.flat.get(stack[0]) ?? 0) + ns);
    for (const name of new Set(stack)) g.cum.set(name, (g.cum.get(name) ?? 0) + ns);
  }
}

const keys = [...groups.keys()].sort();
const perRun = (g, ns) => ns / 1e9 / g.runs.size;
const cell = (g, ns) => `${perRun(g, ns).toFixed(2)} s (${Math.round((100 * ns) / (g.total || 1))} %)`;

/** The TOP functions by their share across groups, the wrappers every request passes through left out. */
function table(kind, title) {
  const share = new Map();
  for (const g of groups.values()) for (const [name, ns] of g[kind]) share.set(name, (share.get(name) ?? 0) + ns / (g.total || 1) / groups.size);
  const names = [];
  for (const [name] of [...share].filter(([, s]) => kind === 'flat' || s < 0.7).sort((a, b) => b[1] - a[1])) {
    // A chain of calls that cost the same (Router → Path → … → regexp.Compile): its outermost stands for it.
    const last = names.at(-1);
    if (kind === 'cum' && last && [...groups.values()].every((g) => Math.abs((g.cum.get(name) ?? 0) - (g.cum.get(last) ?? 0)) <= 0.02 * (g.cum.get(last) || 1))) continue;
    if (names.push(name) === TOP) break;
  }
  return [
    `${title}`,
    '',
    `| function | ${keys.join(' | ')} |`,
    `| --- | ${keys.map(() => '---:').join(' | ')} |`,
    ...names.map((name) => `| \`${name}\` | ${keys.map((k) => cell(groups.get(k), groups.get(k)[kind].get(name) ?? 0)).join(' | ')} |`),
    '',
  ];
}

process.stdout.write([
  '| copier, registry | runs | CPU per run (profiled) |',
  '| --- | ---: | ---: |',
  ...keys.map((k) => `| ${k} | ${groups.get(k).runs.size} | ${perRun(groups.get(k), groups.get(k).total).toFixed(2)} s |`),
  '',
  ...table('cum', 'With all they called (per run, share of that registry\'s CPU; wrappers above 70 % and calls that cost what their caller did left out):'),
  ...table('flat', 'Alone:'),
].join('\n'));
