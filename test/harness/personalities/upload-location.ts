// A proxy in front of a registry that gets the upload locations wrong: the registry builds each
// session's Location from what the proxy passes on (the Host header, X-Forwarded-Proto), so a
// proxy passing nginx's `$host` (the name without its port) makes it name its sessions on the
// scheme's default port (https://host/v2/… for a registry reached at https://host:8443). Played
// by rewriting the Location of each upload the upstream opens; everything else passes through.
import type { Personality } from '../fault-proxy.js';
import { answer, routeOf } from './common.js';

/** `sessions` counts upload sessions opened (each POST answered with a rewritten Location). */
export interface LocationStats { sessions: number }

/** Each upload session's Location put where `place` says (given the proxy's origin and the path and query). */
export function rewriteUploadLocation(place: (proxy: URL, pathAndQuery: string) => string, stats: LocationStats = { sessions: 0 }): Personality {
  return async (ex) => {
    if (routeOf(ex.path)?.resource !== 'uploads' || ex.method !== 'POST') return false;
    const { authorization } = ex.req.headers;
    const reply = await ex.fetch('POST', ex.path, { 'content-length': '0', ...(authorization ? { authorization } : {}) });
    const headers = { ...reply.headers };
    if (headers.location) {
      const at = new URL(headers.location, ex.upstream);
      headers.location = place(new URL(ex.origin), `${at.pathname}${at.search}`);
      stats.sessions++;
    }
    answer(ex, reply.status, headers, reply.body);
    return true;
  };
}

/** Upload locations on the proxy's name without its port (nginx's `proxy_set_header Host $host`). */
export function portDroppingProxy(stats?: LocationStats): Personality {
  return rewriteUploadLocation((proxy, rest) => `${proxy.protocol}//${proxy.hostname}${rest}`, stats);
}

/** Upload locations on another host name, the proxy's port kept (an ingress that names the registry's internal address). */
export function hostRenamingProxy(hostname: string): (stats?: LocationStats) => Personality {
  return (stats) => rewriteUploadLocation((proxy, rest) => `${proxy.protocol}//${hostname}:${proxy.port}${rest}`, stats);
}
