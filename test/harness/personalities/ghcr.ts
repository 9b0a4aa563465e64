// ghcr.io's documented behaviour in front of a real (token-auth, anonymous-pull) registry:
//  - the referrers endpoint is no API: it redirects to an HTML page, or answers 429;
//  - tag lists come in its own order, not lexical, paged by `last=` in that order.
// (A token even for anonymous pulls is the harness registry's `auth: 'token', anonymousPull`.)
import { createHash } from 'node:crypto';
import type { Personality } from '../fault-proxy.js';
import { answer, clientHeaders, relay, routeOf } from './common.js';

/** What to play. */
export interface GhcrOptions {
  /** How GET /v2/<name>/referrers/<digest> answers (default 'redirect'). */
  referrers?: 'redirect' | '429';
  /** Page size when the client gives no `n` (ghcr: 100). */
  defaultPageSize?: number;
}

/** Counters a test can assert on. */
export interface GhcrStats { referrerProbes: number; htmlPages: number; pages: number }

/** The page the referrers endpoint redirects to. */
export const HTML_PAGE = '/ghcr-docs/referrers.html';

/** ghcr's tag order as played here: by a hash of the tag, stable and nowhere near lexical. */
export function ghcrOrder(tags: string[]): string[] {
  const key = (t: string) => createHash('sha256').update(t).digest('hex');
  return [...tags].sort((a, b) => key(a).localeCompare(key(b)));
}

/** A ghcr.io personality and what it saw. */
export function ghcr(opts: GhcrOptions = {}): { play: Personality; stats: GhcrStats } {
  const stats: GhcrStats = { referrerProbes: 0, htmlPages: 0, pages: 0 };
  const play: Personality = async (ex) => {
    if (ex.path === HTML_PAGE) {
      stats.htmlPages++;
      answer(ex, 200, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><html><body>Referrers are not supported.</body></html>');
      return true;
    }
    const route = routeOf(ex.path);
    if (!route || ex.method !== 'GET') return false;
    if (route.resource === 'referrers') {
      stats.referrerProbes++;
      if (opts.referrers === '429') ex.fail(429, 'TOOMANYREQUESTS', 'retry later');
      else answer(ex, 302, { location: HTML_PAGE, 'content-type': 'text/html' }, `<a href="${HTML_PAGE}">Found</a>.`);
      return true;
    }
    if (route.resource !== 'tags') return false;
    const reply = await ex.fetch('GET', `/v2/${route.repository}/tags/list`, clientHeaders(ex));
    if (reply.status !== 200) {
      relay(ex, reply);
      return true;
    }
    const all = ghcrOrder((JSON.parse(reply.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []);
    const n = Number(route.query.get('n') ?? opts.defaultPageSize ?? 100);
    const last = route.query.get('last');
    const start = last === null ? 0 : all.indexOf(last) + 1;
    const page = all.slice(start, start + n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (start + n < all.length) headers.link = `</v2/${route.repository}/tags/list?last=${encodeURIComponent(page[page.length - 1]!)}&n=${n}>; rel="next"`;
    stats.pages++;
    answer(ex, 200, headers, JSON.stringify({ name: route.repository, tags: page }));
    return true;
  };
  return { play, stats };
}
