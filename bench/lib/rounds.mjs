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
