// One measured phase: snapshot the registries, run the command under GNU time, read back what
// each registry served and how much CPU it used.
import { since, snapshot } from './metrics.mjs';
import { timed } from './timed.mjs';

/** Runs and measures; throws with the command's stderr when it fails (unless allowFailure). */
export async function measure(label, registries, cmd, args, opts = {}) {
  const before = snapshot(registries);
  process.stderr.write(`bench: ${label} … `);
  const run = await timed(label, cmd, args, opts);
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the access logs flush
  const regs = since(before);
  process.stderr.write(`${run.wall.toFixed(2)} s (exit ${run.code})\n`);
  if (run.code !== 0 && !opts.allowFailure) {
    throw new Error(`${label} exited ${run.code}\n${run.stderr.slice(-3000)}\n${run.stdout.slice(-3000)}`);
  }
  return { ...run, registries: regs, registryCpu: regs.reduce((a, r) => a + r.cpu, 0) };
}
