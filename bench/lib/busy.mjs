// The machine's busy cores over a run, from /proc/stat: where a copy bound by CPU leaves CPU idle
// (its first seconds, its tail, or throughout). Sampled every BIN_MS while `done` is pending.
import { readFileSync } from 'node:fs';

const BIN_MS = 500;

/** Jiffies busy and in all, summed over every core. */
function jiffies() {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4]; // idle + iowait
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: all - idle, all };
}

/** Busy cores per BIN_MS of `done`'s life, e.g. [1.2, 1.9, …]; the last bin may be short. */
export async function busyWhile(done, cores) {
  const bins = [];
  let last = jiffies();
  let settled = false;
  done.finally(() => { settled = true; }).catch(() => {});
  while (!settled) {
    await Promise.race([new Promise((r) => setTimeout(r, BIN_MS)), done.catch(() => {})]);
    const now = jiffies();
    const all = now.all - last.all;
    if (all > 0) bins.push((cores * (now.busy - last.busy)) / all);
    last = now;
  }
  return bins;
}
