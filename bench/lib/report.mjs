// The markdown printed at the end of a run and recorded in bench/RESULTS.md.

const s = (x) => `${x.toFixed(2)} s`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(1)}×` : '—');
const mark = (ok) => (ok ? '✅' : '❌');

/** Bytes as B / KiB / MiB. */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** The headline table: each figure, the ratio and the target. */
export function headline(r) {
  const rows = [
    '| figure | regmirror | skopeo | ratio | target | |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  const speed = (what, mine, theirs, target, note = '') => {
    if (!theirs) return;
    const x = theirs.wall / mine.wall;
    rows.push(`| ${what} | ${s(mine.wall)} | ${s(theirs.wall)}${note} | ${ratio(theirs.wall, mine.wall)} | ${target ? `≥ ${target}×` : '—'} | ${target ? mark(x >= target) : ''} |`);
  };
  speed(`Cold copy to two targets (${r.workload.images} tags + ${r.workload.images} signatures)`, r.cold.regmirror, r.cold.skopeo, 5, ' (`skopeo sync`, one repo × target after another)');
  if (r.cold.bare) {
    const x = r.cold.bare.wall / r.cold.regmirror.wall;
    rows.push(`| … against the bare parallel copier (no checks; the yardstick) | ${s(r.cold.regmirror.wall)} | ${s(r.cold.bare.wall)} (bare) | ${x.toFixed(2)}× | ≥ 1.0× | ${mark(x >= 1)} |`);
  }
  if (r.cold.skopeoParallel) speed('… against one `skopeo sync` per repository in parallel', r.cold.regmirror, r.cold.skopeoParallel, 0);
  speed('Warm re-sync, nothing to do', r.warm.regmirror, r.warm.skopeo, 10, ' (`skopeo sync`, sequential)');
  if (r.warm.skopeoParallel) speed('… against one `skopeo sync` per repository in parallel', r.warm.regmirror, r.warm.skopeoParallel, 0);
  speed(`Audit of ${r.audit.pairs} (tag, target) pairs`, r.audit.regmirror, r.audit.skopeo, 15, ' (`skopeo inspect --raw` loop)');
  if (r.audit.skopeoParallel) speed('… against the loop under `xargs -P4`', r.audit.regmirror, r.audit.skopeoParallel, 0);
  const reads = r.reads.regmirror.reads / r.workload.blobs;
  const theirs = (f) => (r.reads.skopeo ? f() : '—');
  rows.push(`| Source blob reads per unique blob (${r.workload.blobs} blobs) | ${reads.toFixed(2)} | ${theirs(() => (r.reads.skopeo.reads / r.workload.blobs).toFixed(2))} | | 1.0 | ${mark(Math.abs(reads - 1) < 1e-9)} |`);
  rows.push(`| Blob bytes uploaded, same-registry copy (quay.io/jetstack → quay.io/cert-manager) | ${bytes(r.sameRegistry.regmirror.bytes)} (${r.sameRegistry.regmirror.mounts} mounts) | ${theirs(() => `${bytes(r.sameRegistry.skopeo.bytes)} (${r.sameRegistry.skopeo.mounts} mounts)`)} | | 0 | ${mark(r.sameRegistry.regmirror.bytes === 0)} |`);
  if (r.large) {
    rows.push(`| Peak memory (max RSS), ${bytes(r.large.layerBytes)} layer to two registries | ${r.large.run.maxRssMB.toFixed(0)} MB (${s(r.large.run.wall)}, source read ${r.large.reads}×) | | | < 200 MB | ${mark(r.large.run.maxRssMB < 200)} |`);
  }
  return rows.join('\n');
}

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH'];

/** Requests a phase cost, per registry and method, from the access logs. */
export function requestCounts(phase) {
  return phase.registries.map((g) => `${g.name.replace(/-\d+$/, '')}: ${g.methods.total} (${METHODS.map((m) => g.methods[m] ?? 0).join(' / ')})`).join('; ');
}

/** Where the time goes: CPU of the tool vs the registries, requests per method per registry. */
export function whereTimeGoes(phases) {
  const rows = [
    '| run | wall | tool CPU | registries CPU | requests per registry (GET / HEAD / PUT / POST / PATCH) |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const p of phases) {
    const regs = p.registries.map((g) => `${g.name}: ${g.methods.total} (${METHODS.map((m) => g.methods[m] ?? 0).join(' / ')}), ${g.cpu.toFixed(1)} s CPU`).join('; ');
    rows.push(`| ${p.label} | ${s(p.wall)} | ${s(p.cpu)} | ${s(p.registryCpu)} | ${regs} |`);
  }
  return rows.join('\n');
}
