// The Authorization a request carries once its challenge is known: Basic, a token given as it is,
// or a bearer token the host's cache holds for its scopes, leased so it is renewed if it comes due.
import { AccessDeniedError, AuthError } from '../../types/errors.js';
import type { Credential } from '../credentials.js';
import { credentialFor, unusedNote, type AuthContext } from './auth-context.js';
import type { Challenge } from './challenge.js';
import { fetchToken } from './token.js';
import type { BearerLease, HttpRequest, Send } from './types.js';

/** The Authorization for `scopes`; after a 401, `refusedAt` is when (TokenCache.fetches) the refused token was taken. */
export async function authorization(ctx: AuthContext, next: Send, challenge: Challenge, scopes: string[], refusedAt: number | undefined, signal?: AbortSignal): Promise<Attached | undefined> {
  const credential: Credential | undefined = await credentialFor(ctx, scopes);
  if (challenge.scheme === 'basic') {
    return credential && 'username' in credential ? { authorization: basic(credential.username, credential.password) } : undefined;
  }
  if (credential && 'registryToken' in credential) return { authorization: `Bearer ${credential.registryToken}` };
  const realm = challenge.params.realm;
  if (!realm) return undefined;
  const realmUrl = new URL(realm, ctx.base);
  ctx.onRealm(realmUrl);
  const service = { realm: realmUrl.href, service: challenge.params.service };
  const fetch = () => {
    ctx.onTokenFetch();
    const fetched = fetchToken(next, ctx.host, service, scopes, credential, signal, ctx.tokens.grants);
    // An anonymous token refused: the entry near the host that was not used is said with it.
    const note = credential ? '' : unusedNote(ctx);
    return note ? fetched.catch((err: unknown) => Promise.reject(err instanceof AuthError && !(err instanceof AccessDeniedError) ? new AuthError(err.message + note) : err)) : fetched;
  };
  const token = await ctx.tokens.get(scopes, fetch, refusedAt);
  const attached: Attached = { authorization: `Bearer ${token}`, takenAt: ctx.tokens.fetches };
  attached.lease = lease(ctx, scopes, fetch, attached);
  return attached;
}

/** The lease of the token cached for `scopes`: renewed from the cache, which fetches when it is due (slot.ts); `attached.takenAt` follows it. */
function lease(ctx: AuthContext, scopes: string[], fetch: () => Promise<{ token: string; expiresIn: number }>, attached: Attached): BearerLease {
  return {
    origin: ctx.base.origin,
    expiresAt: ctx.tokens.expiresAt(scopes),
    renew: async () => {
      const token = await ctx.tokens.get(scopes, fetch);
      attached.takenAt = ctx.tokens.fetches;
      return `Bearer ${token}`;
    },
  };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** An Authorization header, the lease of the bearer token in it, and TokenCache.fetches when that token was taken. */
export interface Attached {
  authorization: string;
  lease?: BearerLease;
  takenAt?: number;
}

export function withAuthorization(req: HttpRequest, attached: Attached | undefined): HttpRequest {
  if (!attached) return req;
  return { ...req, headers: { ...req.headers, authorization: attached.authorization }, lease: attached.lease };
}
