// Bearer tokens from a registry's token service (distribution docs/spec/auth/token.md and
// oauth.md): GET with basic credentials or anonymously, POST refresh_token for identity tokens,
// POST password where the service takes no GET.
// Cached per scope set until shortly before expiry; concurrent asks for one scope share a fetch.
import { AuthError, UnreachableError } from '../../types/errors.js';
import { registerSecret } from '../../ui/redact.js';
import type { Credential } from '../credentials.js';
import { paddingNote } from '../credential-padding.js';
import { readCapped } from './body.js';
import { describeStatus, isHtml, RERUN } from './front-pages.js';
import { displayUrl, type Send } from './types.js';

/** Lifetime assumed when the token service does not say (the spec's default). */
export const DEFAULT_TOKEN_SECONDS = 60;

/** What a Bearer challenge told us. */
export interface TokenService {
  realm: string;
  service?: string;
}

interface Cached {
  token: Promise<string>;
  expiresAt: number;
  /** The cache's fetch count when this fetch began. */
  fetch: number;
}

/** Tokens of one registry host, keyed by the sorted scope set. */
export class TokenCache {
  private readonly entries = new Map<string, Cached>();
  /** Fetches begun so far: a request notes it when it takes a token (see `get`). */
  fetches = 0;
  /** How the token service takes a password (learned on the first fetch). */
  readonly grants: PasswordGrants = { post: false, signsIn: new Map() };

  constructor(private readonly now: () => number = Date.now) {}

  /** When the token cached for `scopes` is due for renewal (0 when none is; Infinity while it is fetched). */
  expiresAt(scopes: string[]): number {
    return this.entries.get(scopeKey(scopes))?.expiresAt ?? 0;
  }

  /**
   * A cached or freshly fetched token. After a 401, `refusedAt` is `fetches` as it was when the
   * refused request took its token: a token whose fetch began later is newer than the refused one
   * and is taken; otherwise a new one is fetched. So the requests in flight when a token expires
   * ask the token service once between them, not once each.
   */
  get(scopes: string[], fetch: () => Promise<{ token: string; expiresIn: number }>, refusedAt?: number): Promise<string> {
    const key = scopeKey(scopes);
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now() && (refusedAt === undefined || hit.fetch > refusedAt)) return hit.token;
    const entry: Cached = { token: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY, fetch: ++this.fetches };
    entry.token = fetch().then(
      ({ token, expiresIn }) => {
        // Renew a little early: 10 s, or a fifth of very short lifetimes.
        const margin = Math.min(10, expiresIn / 5);
        entry.expiresAt = this.now() + (expiresIn - margin) * 1000;
        return token;
      },
      (e: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw e;
      },
    );
    this.entries.set(key, entry);
    return entry.token;
  }
}

/** The key of a scope set, whatever the order its scopes were named in (the cache's, and the auth layer's refused sets). */
export function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}

/** Asks the token service for `scopes` with `credential` (or anonymously). */
export async function fetchToken(
  send: Send,
  host: string,
  service: TokenService,
  scopes: string[],
  credential: Credential | undefined,
  signal?: AbortSignal,
  grants: PasswordGrants = { post: false, signsIn: new Map() },
): Promise<{ token: string; expiresIn: number }> {
  const url = new URL(service.realm);
  const form = (grant: Record<string, string>) => {
    const fields = new URLSearchParams({ ...grant, client_id: 'regmirror' });
    if (service.service) fields.set('service', service.service);
    if (scopes.length) fields.set('scope', scopes.join(' '));
    return send({ method: 'POST', url, scopes: [], unqueued: true, signal, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(fields.toString()) });
  };
  const basic = credential && 'username' in credential ? credential : undefined;
  let res;
  if (credential && 'identityToken' in credential) {
    res = await form({ grant_type: 'refresh_token', refresh_token: credential.identityToken });
  } else if (basic && grants.post) {
    res = await form({ grant_type: 'password', username: basic.username, password: basic.password });
  } else {
    const get = new URL(url);
    if (service.service) get.searchParams.set('service', service.service);
    for (const scope of scopes) get.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (basic) headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    res = await send({ method: 'GET', url: get, scopes: [], unqueued: true, signal, headers });
    // An OAuth2 token endpoint that takes grants by POST only (RFC 6749 §3.2; containerd tries
    // POST first for the same reason): the password grant, remembered for the registry.
    if (basic && (res.status === 405 || res.status === 404)) {
      await readCapped(res.body, 1024 * 1024, 'token response').catch(() => undefined);
      res = await form({ grant_type: 'password', username: basic.username, password: basic.password });
      if (res.status === 200) grants.post = true;
    }
  }
  const body = await readCapped(res.body, 1024 * 1024, 'token response');
  // Credentials never follow a redirect to another origin (redirect.ts): a realm that sends them on
  // (http:// to https://, a moved auth host) gets them nowhere, and its refusal, or the registry's
  // of the anonymous token it gave, read as wrong credentials (newuser2 hunt). Remembered for that.
  const movedTo = credential && res.url.origin !== url.origin ? res.url.origin : undefined;
  if (movedTo) grants.redirectedTo = `${displayUrl(url)} redirected to ${movedTo}, another origin, where regmirror sends no credentials (they stay with the realm's origin): name the URL it redirects to as the registry's token realm (auth.token.realm), or reach the token service without the redirect`;
  if (movedTo && (res.status === 401 || res.status === 403)) {
    throw new AuthError(`${host}: the token service at ${grants.redirectedTo}; there it refused to give a token (${res.status})`);
  }
  if (res.status === 401 || res.status === 403) {
    // Credentials that sign in with no scope (docker login's own check) were refused these scopes,
    // not refused themselves: 'check them' sent users after a password that worked (tokens4 hunt).
    // Asked per login: one host's namespaces may each have their own (auths keys HOST/NAMESPACE).
    const login = basic && scopes.length > 0 ? `${basic.from ?? ''}\0${basic.username}` : undefined;
    if (login !== undefined && !grants.signsIn.has(login)) grants.signsIn.set(login, fetchToken(send, host, service, [], credential, signal, grants).then(() => true, () => false));
    const scopeOnly = basic !== undefined && login !== undefined && (await grants.signsIn.get(login)) === true;
    throw new AuthError(`${host}: the token service at ${displayUrl(url)} ${scopeOnly ? scopeRefusal(host, basic, scopes, res.status) : refusal(host, credential, res.status)}`);
  }
  // A single sign-on or captive portal page in the token's place: say so, and what it needs.
  // A 5xx is the service down (its load balancer's page, often HTML): an outage a rerun gets past, where
  // the sign-in advice below sent users after a proxy exemption at 3 a.m.
  if (res.status >= 500) throw new UnreachableError(host, `${host}: the token service at ${displayUrl(url)} answered ${describeStatus(res.status)}${isHtml(body) ? ', an HTML page (a proxy or load balancer in front of it answered)' : ''}: it is down${RERUN}`);
  const page = isHtml(body) ? `${describeStatus(res.status)}, an HTML page (a proxy or login portal answered for it), not a token: this machine must reach ${url.host} without signing in (a proxy exemption for it)` : '';
  if (res.status !== 200) throw new AuthError(`${host}: the token service at ${displayUrl(url)} answered ${page || describeStatus(res.status)}`);
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    // No token to be had, as where none is in the JSON (AuthError: the registry could not be read).
    throw new AuthError(`${host}: the token service at ${displayUrl(url)} ${page ? `answered ${page}` : 'sent no JSON'}`);
  }
  const token = parsed.access_token || parsed.token;
  if (!token) throw new AuthError(`${host}: the token service at ${displayUrl(url)} sent no token`);
  registerSecret(token);
  const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_SECONDS;
  return { token, expiresIn };
}

/**
 * Whether a registry's token service takes username and password only as an OAuth2 POST grant
 * (learned once); `signsIn`: whether it gives a login (by where it came from and its username) a
 * token with no scope, asked once a scope is refused to it;
 * `redirectedTo`: how the realm sent a credentialed fetch on to another origin (said in a refusal).
 */
export interface PasswordGrants { post: boolean; signsIn: Map<string, Promise<boolean>>; redirectedTo?: string }

/** A scope refused to credentials that sign in: the access they lack, and where they came from. */
function scopeRefusal(host: string, credential: Credential, scopes: string[], status: number): string {
  const repositories = scopes.map((s) => /^repository:(.+):[^:]+$/.exec(s)?.[1]).filter((r): r is string => r !== undefined).map((r) => `${host}/${r}`);
  const what = `${scopes.some((s) => /[:,]push(,|$)/.test(s)) ? 'pushing to' : 'pulling from'} ${repositories.join(' and ') || scopes.join(' ')}`;
  return `refused a token for ${what} (${status}), though the same username and password sign in there: they lack that access; grant it to them, or use credentials that have it (${credential.from ?? `registries.${host}.credentials, or docker login ${host}`})`;
}

/** What the token service refused, and where to fix it: where the credential came from, when known (as the Basic refusal in auth-refusals.ts says). */
function refusal(host: string, credential: Credential | undefined, status: number): string {
  const where = `registries.${host}.credentials, or docker login ${host}`;
  if (!credential) return `refused to give an anonymous token (${status}): give credentials (${where})`;
  if ('identityToken' in credential) return `refused the identity token (${status}): log in again (docker login ${host})${credential.from ? `; it came from ${credential.from}` : ''}`;
  return `refused the username and password (${status}): ${credential.from ? `check them in ${credential.from}` : `check them (${where})`}${paddingNote(credential)}`;
}
