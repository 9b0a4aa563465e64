// A copy SIGINT/SIGTERM cut short was not done, like one never started: its rows are left out
// rather than called failed (an ::error per copy in flight, a report that disagrees with
// "interrupted: N copied", "next: failures"); the re-run does it. sync and publish share this.
import type { SyncResult } from '../report/model.js';

/** `result` as finished before `signal` ended the run: without its failed rows, undefined when none is left. */
export function withoutCutShort(result: SyncResult, signal: AbortSignal | undefined): SyncResult | undefined {
  if (!signal?.aborted) return result;
  result.targets = result.targets.filter((t) => t.action !== 'failed');
  return result.targets.length === 0 ? undefined : result;
}
