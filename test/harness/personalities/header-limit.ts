// A front end with a request-header limit (ACR's and quay.io's: 400 "Request Header Too Large"
// from nginx), so a client that puts every scope of a run into one token is caught: its
// Authorization header outgrows the limit. Records the largest Authorization header it saw.
import type { Personality } from '../fault-proxy.js';
import { answer } from './common.js';

/** Counters a test can assert on. */
export interface HeaderLimitStats { largestAuthorization: number; refused: number }

/** Refuses any request whose Authorization header is longer than `maxBytes`. */
export function headerLimit(maxBytes: number): { play: Personality; stats: HeaderLimitStats } {
  const stats: HeaderLimitStats = { largestAuthorization: 0, refused: 0 };
  const play: Personality = (ex) => {
    const size = Buffer.byteLength(ex.req.headers.authorization ?? '');
    stats.largestAuthorization = Math.max(stats.largestAuthorization, size);
    if (size <= maxBytes) return false;
    stats.refused++;
    ex.req.resume();
    answer(ex, 400, { 'content-type': 'text/html' }, '<html><head><title>400 Request Header Or Cookie Too Large</title></head><body><center><h1>400 Bad Request</h1></center><center>Request Header Or Cookie Too Large</center></body></html>');
    return true;
  };
  return { play, stats };
}
