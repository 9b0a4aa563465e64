// Several contenders run in turns (a, b, a, b, …) so that each meets the same conditions of a
// shared machine, and the median of each one's runs.

/** `runs` rounds of `run(who)` for every contender, interleaved; results per contender. */
export async function interleaved(contenders, runs, run) {
  const results = Object.fromEntries(contenders.map((who) => [who, []]));
  for (let i = 0; i < runs; i++) for (const who of contenders) results[who].push(await run(who));
  return results;
}

/** The median (the lower middle of an even count). */
export function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
}

/**
 * Round by round, `a` against each other contender: on a noisy shared machine the medians of a
 * few runs move by more than a small change, but a change that wins every interleaved round
 * (each round run in the same conditions) is seen. `value` picks the figure (lower is better).
 */
export function pairedLines(results, a, value, unit = 's') {
  return Object.keys(results).filter((b) => b !== a).map((b) => {
    const diffs = results[a].map((r, i) => value(results[b][i]) - value(r));
    const wins = diffs.filter((d) => d > 0).length;
    const shown = diffs.map((d) => `${d >= 0 ? '−' : '+'}${Math.abs(d).toFixed(2)}`).join(', ');
    return `- ${a} against ${b}, round by round: lower in ${wins} of ${diffs.length} (${a} − ${b}: ${shown} ${unit}).`;
  });
}
