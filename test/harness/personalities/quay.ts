// quay.io's documented behaviour in front of a real registry:
//  - tag lists page with a relative `Link` carrying an opaque cursor (`next_page=…`), and a page
//    size `n` over 100 is refused (400): a client must ask for ≤ 100 and follow Link as given;
//  - a repository that is absent (or private) answers 401, not 404, to a pull-only token that the
//    token service issued without complaint;
//  - manifests whose config (or artifact) media type is not on its allow-list are refused (415).
import { randomBytes } from 'node:crypto';
import type { Exchange, Personality, UpstreamReply } from '../fault-proxy.js';
import { answer, clientHeaders, errorCodes, grantedActions, relay, routeOf, MANIFEST_ACCEPT } from './common.js';

/** What to play. */
export interface QuayOptions {
  /** Largest `n` accepted (quay: 100); the default page when `n` is absent is 50. */
  maxPageSize?: number;
  /** Answer 401 to pull-only requests for repositories the upstream does not have (default true). */
  hideAbsent?: boolean;
  /** Config or artifact media types refused with 415 on manifest PUT. */
  refusedConfigTypes?: string[];
}

/** Counters a test can assert on. */
export interface QuayStats {
  pages: number;
  refusedPageSizes: number;
  badCursors: number;
  hidden: number;
  refusedTypes: number;
}

/** A quay.io personality and what it saw. */
export function quay(opts: QuayOptions = {}): { play: Personality; stats: QuayStats } {
  const max = opts.maxPageSize ?? 100;
  const cursors = new Map<string, number>();
  const stats: QuayStats = { pages: 0, refusedPageSizes: 0, badCursors: 0, hidden: 0, refusedTypes: 0 };
  let challenge: Promise<string> | undefined;

  const play: Personality = async (ex) => {
    const route = routeOf(ex.path);
    if (!route) return false;
    const pullOnly = !grantedActions(ex.req.headers.authorization, route.repository).includes('push');
    if (route.resource === 'manifests' && ex.method === 'PUT' && opts.refusedConfigTypes?.length) return refuseTypes(ex, opts.refusedConfigTypes, stats);
    if ((ex.method !== 'GET' && ex.method !== 'HEAD') || (route.resource !== 'tags' && route.resource !== 'manifests')) return false;
    const reply = await ex.fetch(ex.method, route.resource === 'tags' ? `/v2/${route.repository}/tags/list` : ex.path, clientHeaders(ex, { accept: MANIFEST_ACCEPT }));
    if (reply.status === 404 && pullOnly && opts.hideAbsent !== false && await absent(ex, route.repository, reply)) {
      stats.hidden++;
      challenge ??= ex.fetch('GET', '/v2/').then((r) => String(r.headers['www-authenticate'] ?? ''));
      const realm = (await challenge).replace(/,?\s*scope="[^"]*"/, '');
      ex.fail(401, 'UNAUTHORIZED', 'access to the requested resource is not authorized', {
        'www-authenticate': `${realm},scope="repository:${route.repository}:pull"`,
      });
      return true;
    }
    if (route.resource === 'manifests' || reply.status !== 200) {
      relay(ex, reply);
      return true;
    }
    const n = route.query.has('n') ? Number(route.query.get('n')) : 50;
    if (!Number.isInteger(n) || n < 1 || n > max) {
      stats.refusedPageSizes++;
      ex.fail(400, 'PAGINATION_NUMBER_INVALID', `n must be between 1 and ${max}`);
      return true;
    }
    const cursor = route.query.get('next_page');
    const start = cursor === null ? 0 : cursors.get(cursor);
    if (start === undefined) {
      stats.badCursors++;
      ex.fail(400, 'PAGINATION_INVALID', 'next_page is not a cursor this registry issued');
      return true;
    }
    const all = ((JSON.parse(reply.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []);
    const page = all.slice(start, start + n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (start + n < all.length) {
      const next = randomBytes(24).toString('base64url');
      cursors.set(next, start + n);
      headers.link = `</v2/${route.repository}/tags/list?n=${n}&next_page=${next}>; rel="next"`;
    }
    stats.pages++;
    answer(ex, 200, headers, JSON.stringify({ name: route.repository, tags: page }));
    return true;
  };
  return { play, stats };
}

/**
 * True when the upstream does not have the repository: its tag list says NAME_UNKNOWN. A manifest's
 * 404 does not tell (distribution says MANIFEST_UNKNOWN there, and a HEAD has no body).
 */
async function absent(ex: Exchange, repository: string, reply: UpstreamReply): Promise<boolean> {
  if (errorCodes(reply.body).includes('NAME_UNKNOWN')) return true;
  const tags = await ex.fetch('GET', `/v2/${repository}/tags/list`, clientHeaders(ex));
  return tags.status === 404 && errorCodes(tags.body).includes('NAME_UNKNOWN');
}

async function refuseTypes(ex: Exchange, refused: string[], stats: QuayStats): Promise<boolean> {
  const body = await ex.readBody();
  let types: string[] = [];
  try {
    const m = JSON.parse(body.toString('utf8')) as { artifactType?: unknown; config?: { mediaType?: unknown } };
    types = [m.artifactType, m.config?.mediaType].filter((t): t is string => typeof t === 'string');
  } catch {
    // not JSON: the upstream judges it
  }
  const bad = types.find((t) => refused.includes(t));
  if (bad) {
    stats.refusedTypes++;
    ex.fail(415, 'MANIFEST_INVALID', `manifest invalid: unsupported config media type ${bad}`);
    return true;
  }
  const headers = clientHeaders(ex, { 'content-type': ex.req.headers['content-type'] ?? '', 'content-length': String(body.length) });
  relay(ex, await ex.fetch('PUT', ex.path, headers, body));
  return true;
}
