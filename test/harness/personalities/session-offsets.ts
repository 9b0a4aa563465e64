// A registry that keeps an upload's offset with its session, as the OCI distribution spec has it
// (zot, quay, distribution 3 check Content-Range): any URL of the session reaches its current
// state, a PATCH whose Content-Range does not start at the bytes stored is refused 416 with the
// Range stored, and GET on the session says that Range. distribution 2.8 instead keeps the offset
// in an HMAC'd _state in the URL and cancels a session reached with an outdated one, so this
// front remembers the newest Location the registry gave each session and asks with it. Put a
// fault proxy in front of it: an answer lost there (a 502 after the registry stored a chunk)
// still teaches this front the session's new state, as the registry itself would know it.
import type { Personality, UpstreamReply } from '../fault-proxy.js';
import { passOn, relay } from './upstream-reply.js';
import { routeOf } from './common.js';

/** What the personality saw, for assertions. */
export interface SessionOffsetStats { outOfOrder: number; statusAsked: number }

/** The personality and its counts; `chunkBytes`: sessions demand chunks of exactly that size (OCI-Chunk-Min/Max-Length). */
export function sessionOffsets(chunkBytes?: number): { personality: Personality; stats: SessionOffsetStats } {
  const stats: SessionOffsetStats = { outOfOrder: 0, statusAsked: 0 };
  const newest = new Map<string, string>();
  const remember = (reply: UpstreamReply) => {
    const location = reply.headers.location;
    if (!location) return;
    const url = new URL(location, 'http://upstream');
    const id = routeOf(url.pathname)?.ref;
    if (id) newest.set(id, url.pathname + url.search);
  };
  const personality: Personality = async (ex) => {
    const route = routeOf(ex.path);
    if (route?.resource !== 'uploads') return false;
    if (ex.method === 'POST') {
      const reply = await ex.fetch('POST', ex.path, { ...passOn(ex), 'content-length': '0' });
      remember(reply);
      relay(ex, reply, chunkBytes ? { set: { 'oci-chunk-min-length': String(chunkBytes), 'oci-chunk-max-length': String(chunkBytes) } } : {});
      return true;
    }
    const current = newest.get(route.ref);
    if (!current) return false;
    if (ex.method === 'GET' || ex.method === 'HEAD') {
      stats.statusAsked++;
      const reply = await ex.fetch(ex.method, current, passOn(ex));
      remember(reply);
      relay(ex, reply);
      return true;
    }
    const body = await ex.readBody();
    if (ex.method === 'PATCH') {
      const start = /^(?:bytes )?(\d+)-/.exec(String(ex.req.headers['content-range'] ?? ''))?.[1];
      const status = await ex.fetch('GET', current, passOn(ex));
      remember(status);
      // distribution says 0-0 for an empty session as for one byte; chunks here are larger.
      const end = Number(/^0-(\d+)$/.exec(String(status.headers.range ?? ''))?.[1] ?? 0);
      const stored = end === 0 ? 0 : end + 1;
      if (start !== undefined && Number(start) !== stored) {
        stats.outOfOrder++;
        ex.fail(416, 'RANGE_INVALID', `the chunk starts at byte ${start} but ${stored} bytes are stored`, { range: `0-${stored - 1}`, location: ex.origin + newest.get(route.ref)! });
        return true;
      }
    }
    const digest = route.query.get('digest');
    const url = newest.get(route.ref)! + (digest ? `&digest=${encodeURIComponent(digest)}` : '');
    const reply = await ex.fetch(ex.method, url, { ...passOn(ex), 'content-length': String(body.byteLength) }, body);
    remember(reply);
    relay(ex, reply);
    return true;
  };
  return { personality, stats };
}
