// A registry personality with the OCI 1.1 referrers API, played in front of distribution 2.8 (which
// has none): GET /v2/<repo>/referrers/<digest> answers the index stored under the hidden tag
// `r-sha256-HEX`, and tag lists hide those tags, so clients can find a referrer only through the API.
import type { Personality } from '../../harness/fault-proxy.js';

const REFERRERS = /^\/v2\/(.+)\/referrers\/(sha256):([a-f0-9]{64})(?:\?.*)?$/;
const TAGS = /^\/v2\/(.+)\/tags\/list(?:\?.*)?$/;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The hidden tag a test pushes a subject's referrers index under. */
export function hiddenIndexTag(digest: string): string {
  return `r-${digest.replace(':', '-')}`;
}

/** The personality: answers referrers requests, filters hidden tags out of tag lists. */
export const referrersApi: Personality = async (ex) => {
  const referrers = ex.method === 'GET' ? REFERRERS.exec(ex.path) : null;
  if (referrers) {
    const [, repo, alg, hex] = referrers;
    const reply = await ex.fetch('GET', `/v2/${repo}/manifests/r-${alg}-${hex}`, { accept: OCI_INDEX, authorization: ex.req.headers.authorization ?? '' });
    const body = reply.status === 200 ? reply.body : Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }));
    ex.entry.status = 200;
    ex.res.writeHead(200, { 'content-type': OCI_INDEX, 'content-length': body.length });
    ex.res.end(body);
    return true;
  }
  const tags = ex.method === 'GET' ? TAGS.exec(ex.path) : null;
  if (!tags) return false;
  const reply = await ex.fetch('GET', ex.path, { authorization: ex.req.headers.authorization ?? '' });
  const list = JSON.parse(reply.body.toString('utf8')) as { name: string; tags: string[] | null };
  const body = Buffer.from(JSON.stringify({ ...list, tags: (list.tags ?? []).filter((t) => !t.startsWith('r-sha256-')) }));
  ex.entry.status = reply.status;
  ex.res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': body.length });
  ex.res.end(body);
  return true;
};
