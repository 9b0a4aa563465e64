// A registry that holds bearer tokens to their `exp` (distribution itself allows 60 s past it, so
// short-lived tokens would never be seen to expire), and whose blob upload PUTs are slow: with one
// upload at a time, a PUT queued behind another waits longer than its token lives.
import type { Personality } from '../fault-proxy.js';
import { answer, bearerClaims } from './common.js';

/** Counters a test can assert on. */
export interface TokenExpiryStats { expired: number; requests: number }

/** Refuses (401, with the registry's own challenge) a token past `exp` + `leewayMs`; holds every blob upload PUT `slowPutMs`. */
export function tokenExpiry(slowPutMs: number, leewayMs = 1000): { play: Personality; stats: TokenExpiryStats } {
  const stats: TokenExpiryStats = { expired: 0, requests: 0 };
  const play: Personality = async (ex) => {
    stats.requests++;
    const exp = bearerClaims(ex.req.headers.authorization)?.exp;
    if (typeof exp === 'number' && Date.now() >= exp * 1000 + leewayMs) {
      stats.expired++;
      ex.req.resume();
      // The upstream's challenge for this request, as it would answer it without a token.
      const challenge = await ex.fetch(ex.method === 'HEAD' ? 'HEAD' : 'GET', ex.path);
      answer(ex, 401, { 'content-type': 'application/json', 'www-authenticate': challenge.headers['www-authenticate'] ?? '' },
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'token expired' }] }));
      return true;
    }
    if (ex.method === 'PUT' && ex.path.includes('/blobs/uploads/')) await new Promise((r) => setTimeout(r, slowPutMs));
    return false;
  };
  return { play, stats };
}
