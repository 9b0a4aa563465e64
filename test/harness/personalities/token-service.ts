// Token services that differ from distribution's: an OAuth2 endpoint that takes only POST (RFC 6749
// has clients POST their grants; GET with Basic is Docker's extension), one that answers with
// `access_token` alone, a single sign-on page sent as 200 in a token's place, and one that
// refuses a token for more than `maxScopes` repositories at once (a mount's two), and one that
// refuses (403) a token for any scope `refusedScope` matches, as services do that will not grant
// part of what is asked (Harbor, GitLab); `hangUp` closes every connection without an answer;
// `every429` answers every Nth request 429 toomanyrequests (auth.docker.io's own rate limit);
// `redirectElsewhere` answers 302 to the token server behind it, another origin (an auth host that
// moved, or a realm that names a front door).
import type { Personality } from '../fault-proxy.js';
import { passOn } from './upstream-reply.js';

/** What the token service does differently; `seen` counts requests by method. */
export interface TokenServiceQuirks { postOnly?: boolean; accessTokenOnly?: boolean; loginPage?: boolean; down?: boolean; maxScopes?: number; refusedScope?: RegExp; hangUp?: boolean; every429?: number; redirectElsewhere?: boolean; answered?: number; seen?: Record<string, number> }

export function tokenService(quirks: TokenServiceQuirks): Personality {
  return async (ex) => {
    if (quirks.seen) quirks.seen[ex.method] = (quirks.seen[ex.method] ?? 0) + 1;
    quirks.answered = (quirks.answered ?? 0) + 1;
    if (quirks.every429 && quirks.answered % quirks.every429 === 0) {
      ex.fail(429, 'TOOMANYREQUESTS', 'too many requests');
      return true;
    }
    if (quirks.redirectElsewhere) {
      ex.req.resume();
      ex.entry.status = 302;
      ex.res.writeHead(302, { location: new URL(ex.path, ex.upstream).href, 'content-length': 0 }).end();
      return true;
    }
    if (quirks.hangUp) {
      ex.req.socket.destroy();
      return true;
    }
    if (quirks.down) {
      // The token service down behind its load balancer: the balancer's own 503 page.
      ex.req.resume();
      const page = '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n';
      ex.entry.status = 503;
      ex.res.writeHead(503, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) }).end(page);
      return true;
    }
    if (quirks.loginPage) {
      ex.req.resume();
      const page = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Single sign-on</form></body></html>\n';
      ex.entry.status = 200;
      ex.res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) }).end(page);
      return true;
    }
    const scopes = new URL(ex.path, 'http://x').searchParams.getAll('scope');
    if (quirks.refusedScope && scopes.some((s) => quirks.refusedScope!.test(s))) {
      ex.fail(403, 'DENIED', 'access to the requested resource is not authorized');
      return true;
    }
    if (quirks.maxScopes !== undefined && scopes.length > quirks.maxScopes) {
      ex.fail(403, 'DENIED', `a token is for at most ${quirks.maxScopes} repository scope(s)`);
      return true;
    }
    if (quirks.postOnly && ex.method !== 'POST') {
      ex.fail(405, 'UNSUPPORTED', 'the token endpoint takes POST', { allow: 'POST' });
      return true;
    }
    if (!quirks.accessTokenOnly) return false;
    const body = ex.method === 'POST' ? await ex.readBody() : undefined;
    const reply = await ex.fetch(ex.method, ex.path, { ...passOn(ex), ...(body ? { 'content-length': String(body.byteLength) } : {}) }, body);
    const parsed = JSON.parse(reply.body.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
    const out = Buffer.from(JSON.stringify({ access_token: parsed.access_token ?? parsed.token, expires_in: parsed.expires_in, token_type: 'Bearer' }));
    ex.entry.status = reply.status;
    ex.res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': out.byteLength }).end(out);
    return true;
  };
}
