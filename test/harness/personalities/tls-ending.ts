// A registry behind a proxy that ends TLS without saying so (no X-Forwarded-Proto): the registry
// believes it is served over plain HTTP and names every upload session on http://, on the port
// the client reached over https:// (goharbor/harbor#6405, #17496). Played by rewriting the
// Location of each upload the upstream opens; everything else passes through.
import type { Personality } from '../fault-proxy.js';
import { rewriteUploadLocation, type LocationStats } from './upload-location.js';

/** `sessions` counts upload sessions opened (each POST answered with a downgraded Location). */
export function tlsEndingProxy(stats: LocationStats = { sessions: 0 }): Personality {
  return rewriteUploadLocation((proxy, rest) => `http://${proxy.host}${rest}`, stats);
}
