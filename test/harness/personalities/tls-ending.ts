// A registry behind a proxy that ends TLS without saying so (no X-Forwarded-Proto): the registry
// believes it is served over plain HTTP and names every upload session on http://, on the port
// the client reached over https:// (goharbor/harbor#6405, #17496). Played by rewriting the
// Location of each upload the upstream opens; everything else passes through.
import type { Personality } from '../fault-proxy.js';
import { answer, routeOf } from './common.js';

/** `sessions` counts upload sessions opened (each POST answered with a downgraded Location). */
export function tlsEndingProxy(stats: { sessions: number } = { sessions: 0 }): Personality {
  return async (ex) => {
    if (routeOf(ex.path)?.resource !== 'uploads' || ex.method !== 'POST') return false;
    const reply = await ex.fetch('POST', ex.path, { 'content-length': '0' });
    const headers = { ...reply.headers };
    if (headers.location) {
      const at = new URL(headers.location, ex.upstream);
      headers.location = `${ex.origin.replace(/^https:/, 'http:')}${at.pathname}${at.search}`;
      stats.sessions++;
    }
    answer(ex, reply.status, headers, reply.body);
    return true;
  };
}
