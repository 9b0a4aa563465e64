// A request's slot at its host, taken with a bearer token that is still good when the request
// goes out. The auth layer attaches the token before the request queues for a slot; a backfill's
// uploads can queue longer than a token lives (60 s where the token service does not say), and
// sent with the expired token the request drew a 401, its replay (queued again) a second one,
// and that second 401 reads as "repository absent or access denied" for the rest of the run.
import type { Lanes } from './limiter.js';
import type { HttpRequest } from './types.js';

/** The slot (its release function), and the Authorization header to send instead of the request's own when it was renewed. */
export interface Slot {
  release: () => void;
  authorization?: string;
}

/**
 * Waits for a slot for `req` (none for a token fetch: `unqueued`), and renews its token if it came
 * due meanwhile. The request keeps its slot while the token is fetched, so it keeps its place;
 * token fetches take no slot, so requests renewing with every slot held cannot wait on each other.
 */
export async function takeSlot(lanes: Lanes, req: HttpRequest): Promise<Slot> {
  const release = req.unqueued ? noop : await lanes.acquire(req.lane ?? 'small', req.signal, req.priority);
  // A redirect to another origin keeps the lease on the request but never gets the token.
  const lease = req.lease?.origin === req.url.origin ? req.lease : undefined;
  if (!lease || Date.now() < lease.expiresAt) return { release };
  try {
    return { release, authorization: await lease.renew() };
  } catch (e) {
    release();
    throw e;
  }
}

function noop(): void {}
