// A tag's copy to a straggler (a target whose listing was still out when the run started:
// inventory/stragglers.ts) waits for that listing, never the other targets: their rows are done
// and their tags written long before a silent registry gives up. The straggler's rows are then
// what they would have been (copied, skipped, or failed with `cannot list tags: …`).
import type { Inventory, TargetState } from '../inventory/inventory.js';
import type { SyncResult } from '../report/model.js';

/**
 * The image's targets: `ready` now, `late` the stragglers, once their `listed` settles. A straggler
 * stays late for the whole run, so each phase reaches it after the one before (order.ts).
 */
export function byListing(inv: Inventory): { ready: TargetState[]; late: TargetState[] } {
  return { ready: inv.targets.filter((t) => !t.listed), late: inv.targets.filter((t) => t.listed) };
}

/**
 * Places the tag at each late target once its listing has settled and `before` (the run's
 * previous phase there) is done, each in a slot of its own (`slot`, the run's concurrency), and
 * returns the whole result, its rows in config order.
 */
export async function withLateRows(
  inv: Inventory,
  first: SyncResult,
  split: { ready: TargetState[]; late: TargetState[] },
  before: Promise<unknown>,
  slot: <T>(place: () => Promise<T>) => Promise<T>,
  place: (targets: TargetState[]) => Promise<SyncResult>,
): Promise<SyncResult> {
  const late = await Promise.all(
    split.late.map(async (t) => {
      await t.listed;
      await before;
      return (await slot(() => place([t]))).targets[0]!;
    }),
  );
  const rows = new Map([...split.ready.map((t, i) => [t, first.targets[i]!] as const), ...split.late.map((t, i) => [t, late[i]!] as const)]);
  return { ...first, targets: inv.targets.map((t) => rows.get(t)!) };
}
