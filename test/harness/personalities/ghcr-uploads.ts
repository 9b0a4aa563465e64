// ghcr.io's upload limit (reported in oras, regclient and containerd issues): a request body over
// 4 MiB to an upload session is refused with 416, whether a monolithic PUT or a PATCH chunk, so
// large blobs must go in chunks of at most 4 MiB. Optionally it states the limit as
// OCI-Chunk-Max-Length on the session, as the OCI distribution spec lets a registry do.
import type { Personality } from '../fault-proxy.js';
import { apiPath, passOn, relay } from './upstream-reply.js';

/** ghcr.io's limit on one request body. */
export const GHCR_MAX_BODY = 4 * 1024 * 1024;

/** What the personality refused, by method. */
export interface GhcrUploadStats { refused: { PUT: number; PATCH: number }; largestAccepted: number }

/** `advertise`: also send OCI-Chunk-Max-Length on POST (real ghcr.io does not). */
export function ghcrUploads(opts: { advertise?: boolean } = {}): { personality: Personality; stats: GhcrUploadStats } {
  const stats: GhcrUploadStats = { refused: { PUT: 0, PATCH: 0 }, largestAccepted: 0 };
  const personality: Personality = async (ex) => {
    if (apiPath(ex.path)?.kind !== 'uploads') return false;
    if (ex.method === 'POST' && opts.advertise) {
      const reply = await ex.fetch('POST', ex.path, passOn(ex));
      relay(ex, reply, { set: { 'oci-chunk-max-length': String(GHCR_MAX_BODY) } });
      return true;
    }
    if (ex.method !== 'PUT' && ex.method !== 'PATCH') return false;
    const length = Number(ex.req.headers['content-length'] ?? NaN);
    if (!(length > GHCR_MAX_BODY)) {
      if (length > stats.largestAccepted) stats.largestAccepted = length;
      return false;
    }
    await ex.readBody();
    stats.refused[ex.method]++;
    ex.fail(416, 'SIZE_INVALID', `request body of ${length} bytes is over the 4 MiB limit`);
    return true;
  };
  return { personality, stats };
}
