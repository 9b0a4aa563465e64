// Google Artifact Registry's upload behaviour (documented in its "pushing and pulling" notes and
// in crane/oras issues): no chunked uploads. Every PATCH to an upload session is refused; a
// monolithic PUT (POST, then PUT with the bytes) is the only way in.
import type { Personality } from '../fault-proxy.js';
import { apiPath } from './upstream-reply.js';

/** What the GAR personality refused, for assertions. */
export interface GarStats { patchesRefused: number }

/** The personality, and what it counted. */
export function gar(): { personality: Personality; stats: GarStats } {
  const stats: GarStats = { patchesRefused: 0 };
  const personality: Personality = async (ex) => {
    if (ex.method !== 'PATCH' || apiPath(ex.path)?.kind !== 'uploads') return false;
    await ex.readBody(); // a real front end reads the request before it answers
    stats.patchesRefused++;
    ex.fail(405, 'UNSUPPORTED', 'chunked uploads are not supported: upload the blob in one PUT');
    return true;
  };
  return { personality, stats };
}
