// A request goes out with a bearer token that is still good. The auth layer attaches the token
// before the request queues for a slot (limiter.ts); a backfill's uploads can queue longer than a
// token lives (60 s where the token service does not say), and sent with the expired token the
// request drew a 401, its replay (queued again) a second one, and that second 401 reads as
// "repository absent or access denied" for the rest of the run. So once the request has its slot,
// a token that came due meanwhile is renewed, the request keeping its slot (and its place) while
// it is. Token fetches take no slot (`unqueued`), so requests renewing with every slot held
// cannot wait on each other.
import type { BearerLease, HttpRequest } from './types.js';

/** The lease of `req`'s token when it came due; undefined when it is good, or not for this origin (a redirect elsewhere never gets it). */
export function dueLease(req: HttpRequest, now = Date.now()): BearerLease | undefined {
  const lease = req.lease;
  return lease && lease.origin === req.url.origin && now >= lease.expiresAt ? lease : undefined;
}

/** The renewed Authorization header; the slot is given back if renewing fails. */
export async function renewHeld(lease: BearerLease, release: () => void): Promise<string> {
  try {
    return await lease.renew();
  } catch (e) {
    release();
    throw e;
  }
}
