// What sync says before any copy, from its listings alone: a source it could not list, tags it
// cannot copy (each a failed row naming why), and whether it could reach anything at all (exit 3).
import type { Inventory } from '../inventory/inventory.js';
import type { SyncResult } from '../report/model.js';
import { REPOSITORY_ROW } from '../report/summary.js';
import { AuthError, RegistryResponseError, UnreachableError } from '../types/errors.js';
import { untouchedRows } from './tag-rows.js';
import { NotATagList } from '../registry/tags.js';

/**
 * Every source, or every target, could not be read at all: SPEC's exit 3 for sync and plan. A
 * registry that refused every connection counts, and so does one that answered only 5xx after
 * every retry (down behind its load balancer, which answers 502 in its place), and one that
 * refused the credentials or token everywhere (verify5: a sync whose every target answered 401
 * exited 1, "conflicts or failures left", where nothing could be written anywhere; verify and
 * plan call the same an incomplete run, exit 3). One target refused among others that took their
 * copies stays 1: the run did what it could reach.
 */
export function nothingReachable(inventories: Inventory[]): boolean {
  if (inventories.length === 0) return false;
  const sources = inventories.every((inv) => unread(inv.sourceError));
  const targets = inventories.flatMap((inv) => inv.targets);
  return sources || (targets.length > 0 && targets.every((t) => unread(t.error)));
}

function isDown(err: unknown): boolean {
  return err instanceof UnreachableError || (err instanceof RegistryResponseError && err.status >= 500);
}

/**
 * A source or a target could not be reached, or read, at all: a plan that could not see it is
 * incomplete (exit 3). Refused credentials or a token service that gave no token count (tokens4
 * hunt): a plan whose every row failed so exited 0, and a CI job gating on it passed.
 */
export function partlyUnread(inventories: Inventory[]): boolean {
  return inventories.some((inv) => unread(inv.sourceError) || inv.targets.some((t) => unread(t.error)));
}

/**
 * Down, refused, or answering every tag-list request with something else (a captive portal's login
 * page as 200: issuer2 hunt, a sync exited 1 and a plan 0 where verify said 3, incomplete).
 */
function unread(err: unknown): boolean {
  return isDown(err) || err instanceof AuthError || err instanceof NotATagList;
}

/** The row of an image whose source could not be listed, one failed target each. */
export function sourceFailure(inv: Inventory): SyncResult {
  return { source: inv.work.sourceDisplay, tag: REPOSITORY_ROW, sourceDigest: null, targets: untouchedRows(inv.targets, 'failed', `source: cannot list tags: ${inv.sourceError?.message}`) };
}

// Tags the run cannot copy, each a failed row naming why: asked for and absent, or not a tag name.
export function failedTags(inv: Inventory, tags: string[], detail: (tag: string) => string): SyncResult[] {
  return tags.map((tag) => ({ source: inv.work.sourceDisplay, tag, sourceDigest: null, targets: untouchedRows(inv.targets, 'failed', detail(tag)) }));
}
