// Harbor and Quay keep blobs once for the whole registry: a blob HEAD (and a mount from the
// repository itself) answers 200/201 for a blob stored under another project, though it is not
// linked into the repository asked about; the manifest PUT that needs it is then refused
// 400 MANIFEST_BLOB_UNKNOWN naming it. Played here with one "other" repository of the registry.
import type { Personality } from '../fault-proxy.js';
import { answer, clientHeaders, routeOf } from './common.js';

/** How many blob checks the personality answered from the other repository. */
export interface CrossRepoStats { claimed: number }

/** Blobs of `elsewhere` are said to be present in every repository of the registry. */
export function crossRepoBlobs(elsewhere: string, stats: CrossRepoStats = { claimed: 0 }): Personality {
  return async (ex) => {
    const route = routeOf(ex.path);
    if (!route || route.repository === elsewhere) return false;
    const head = ex.method === 'HEAD' && route.resource === 'blobs';
    const selfMount = ex.method === 'POST' && route.resource === 'uploads' && route.query.get('from') === route.repository;
    const digest = head ? route.ref : route.query.get('mount');
    if ((!head && !selfMount) || !digest) return false;
    if ((await ex.fetch('HEAD', `/v2/${route.repository}/blobs/${digest}`, clientHeaders(ex))).status !== 404) return false;
    const there = await ex.fetch('HEAD', `/v2/${elsewhere}/blobs/${digest}`, clientHeaders(ex));
    if (there.status !== 200) return false;
    stats.claimed++;
    ex.req.resume();
    if (head) answer(ex, 200, there.headers);
    else answer(ex, 201, { location: `/v2/${route.repository}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' });
    return true;
  };
}
