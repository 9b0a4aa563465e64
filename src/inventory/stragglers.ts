// A target that accepts the connection and never answers its tag list (quay.io hung at 3 a.m.)
// held every target of the run until its listing failed, ~5 minutes of retries: the release
// must reach the others at once. Such a listing, still out a few seconds after every other one of
// its image came back, is a straggler: sync starts without it and copies there once it settles.
import type { TargetState } from './inventory.js';

/** How long a target's listing may lag the image's other listings before sync starts without it. */
export const STRAGGLER_AFTER_MS = 5_000;

/**
 * Waits for `source` and every target listing, or, once `source` is in, until none has come back
 * for `afterMs`: the targets still listing then carry their pending listing as `listed`.
 */
export async function listedOrStraggling(source: Promise<void>, targets: TargetState[], listings: Promise<void>[], afterMs: number): Promise<void> {
  const all = Promise.all([source, ...listings]);
  await source;
  let timer: NodeJS.Timeout | undefined;
  let waiting = true;
  const quiet = new Promise<void>((resolve) => {
    const restart = () => {
      clearTimeout(timer);
      if (waiting) timer = setTimeout(resolve, afterMs);
    };
    restart();
    for (const listing of listings) void listing.then(restart);
  });
  await Promise.race([all, quiet]);
  waiting = false;
  clearTimeout(timer);
  targets.forEach((t, i) => {
    if (!t.tags && !t.error) t.listed = listings[i];
  });
}
