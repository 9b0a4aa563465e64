// Bearer tokens from a registry's token service (distribution docs/spec/auth/token.md and
// oauth.md): GET with basic credentials or anonymously, POST refresh_token for identity tokens.
// Cached per scope set until shortly before expiry; concurrent asks for one scope share a fetch.
import { AuthError, RegmirrorError } from '../../types/errors.js';
import { registerSecret } from '../../ui/redact.js';
import type { Credential } from '../credentials.js';
import { readCapped } from './body.js';
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
}

/** Tokens of one registry host, keyed by the sorted scope set. */
export class TokenCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A cached or freshly fetched token; `fresh` skips the cache (after a 401). */
  get(scopes: string[], fetch: () => Promise<{ token: string; expiresIn: number }>, fresh = false): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const hit = this.entries.get(key);
    if (hit && !fresh && hit.expiresAt > this.now()) return hit.token;
    const entry: Cached = { token: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY };
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

/** Asks the token service for `scopes` with `credential` (or anonymously). */
export async function fetchToken(
  send: Send,
  host: string,
  service: TokenService,
  scopes: string[],
  credential: Credential | undefined,
  signal?: AbortSignal,
): Promise<{ token: string; expiresIn: number }> {
  const url = new URL(service.realm);
  let res;
  if (credential && 'identityToken' in credential) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'regmirror' });
    if (service.service) form.set('service', service.service);
    if (scopes.length) form.set('scope', scopes.join(' '));
    res = await send({
      method: 'POST', url, scopes: [], signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
    });
  } else {
    if (service.service) url.searchParams.set('service', service.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (credential && 'username' in credential) {
      headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    }
    res = await send({ method: 'GET', url, scopes: [], signal, headers });
  }
  const body = await readCapped(res.body, 1024 * 1024, 'token response');
  if (res.status === 401 || res.status === 403) throw new AuthError(`${host}: the token service at ${displayUrl(url)} ${refusal(host, credential, res.status)}`);
  if (res.status !== 200) throw new AuthError(`${host}: the token service at ${displayUrl(url)} answered ${res.status}`);
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    throw new RegmirrorError(`${host}: the token service at ${displayUrl(url)} sent no JSON`);
  }
  const token = parsed.access_token || parsed.token;
  if (!token) throw new AuthError(`${host}: the token service at ${displayUrl(url)} sent no token`);
  registerSecret(token);
  const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_SECONDS;
  return { token, expiresIn };
}

/** What the token service refused, and where to fix it: where the credential came from, when known (as the Basic refusal in auth.ts says). */
function refusal(host: string, credential: Credential | undefined, status: number): string {
  const where = `registries.${host}.credentials, or docker login ${host}`;
  if (!credential) return `refused to give an anonymous token (${status}): give credentials (${where})`;
  if ('identityToken' in credential) return `refused the identity token (${status}): log in again (docker login ${host})${credential.from ? `; it came from ${credential.from}` : ''}`;
  return `refused the username and password (${status}): ${credential.from ? `check them in ${credential.from}` : `check them (${where})`}`;
}
