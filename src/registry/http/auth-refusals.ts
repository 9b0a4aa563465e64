// What the auth layer says when a registry refuses it: Basic credentials refused or never given, a
// fresh token refused still (absent, closed, read-only, an invalid given token), a 401 at an upload
// placed on another origin. The layer (auth.ts) decides when; these say what, and where to fix it.
import { AccessDeniedError, AuthError, MisplacedLocationError } from '../../types/errors.js';
import type { Credential } from '../credentials.js';
import { paddingNote } from '../credential-padding.js';
import { credentialFor, unusedNote, type AuthContext } from './auth-context.js';
import { discard } from './body.js';
import type { Challenge } from './challenge.js';
import { grantedActions } from './token-claims.js';
import { displayUrl, header, type HttpRequest, type HttpResponse } from './types.js';
import { elsewhere, isUpload } from './unreachable.js';

export function basicRefused(ctx: AuthContext, credential: Credential | undefined, sent: boolean): AuthError {
  const host = ctx.host;
  const where = `registries.${host}.credentials, or docker login ${host}`;
  // A bearer token (tokenEnv, registrytoken) cannot go in Basic auth: said as given, not as none given.
  if (credential && 'registryToken' in credential) {
    const instead = credential.from?.startsWith('mirrors.yaml') ? 'usernameEnv and passwordEnv there instead of tokenEnv' : 'a username and password there instead of its registrytoken';
    return new AuthError(`${host} asks for a username and password (401, Basic auth) and takes no bearer token: the token ${credential.from ? `from ${credential.from} ` : ''}was not sent; give ${instead} (a registry that takes a token as the password: the account as username, the token as password)`);
  }
  if (!sent || !credential) return new AuthError(`${host} asks for a username and password (401): give them (${where})${credential ? '' : unusedNote(ctx)}`);
  const check = credential.from ? `check them in ${credential.from}` : `check them (${where})`;
  return new AuthError(`${host} refused the username and password sent to it (401): ${check}${paddingNote(credential)}`);
}

export async function accessDenied(ctx: AuthContext, req: HttpRequest, scopes: string[], authorization: string | undefined, refusal: Challenge | undefined): Promise<AccessDeniedError> {
  const credential = await credentialFor(ctx, req.scopes);
  // A token given as it is (tokenEnv, Docker's registrytoken) that the registry calls invalid
  // (RFC 6750 invalid_token): no repository name or access right to check, as the line below
  // sent users to do (tokens4 hunt), but the token itself.
  if (credential && 'registryToken' in credential && refusal?.params.error === 'invalid_token') {
    return new AccessDeniedError(`${ctx.host}: it refused the bearer token${credential.from ? ` from ${credential.from}` : ''} as invalid (401 invalid_token: expired, revoked, or issued for another registry): give a current token for ${ctx.host}`);
  }
  // A push refused with a token that grants pull on the repository (a read-only robot account):
  // the repository is there and readable, and the credentials lack push on it. Say just that.
  const pushTo = req.scopes.map((s) => /^repository:(.+):([^:]+)$/.exec(s)).find((m) => m && m[2]!.split(',').includes('push'))?.[1];
  const granted = pushTo ? grantedActions(authorization, pushTo) : undefined;
  if (credential && pushTo && granted?.includes('pull') && !granted.includes('push')) {
    return new AccessDeniedError(`${ctx.host}/${pushTo}: the credentials used for ${ctx.host}${credential.from ? ` (from ${credential.from})` : ''} may pull but not push to it (its token service granted ${granted.join(',')} only): use credentials with push access to it`);
  }
  const repositories = scopes.map((s) => /^repository:(.+):[^:]+$/.exec(s)?.[1]).filter((r): r is string => !!r);
  const where = repositories.length > 0 ? repositories.map((r) => `${ctx.host}/${r}`).join(' or ') : ctx.host;
  const push = /\bpush\b/.test(req.scopes.join(' '));
  const check = credential
    ? `check the repository name and that the credentials used for ${ctx.host}${credential.from ? ` (from ${credential.from})` : ''} may ${push ? 'push to' : 'pull from'} it`
    : `check the repository name, or give credentials for ${ctx.host} (registries.${ctx.host}.credentials or docker login) if it is private`;
  const how = credential ? 'after authenticating' : 'to an anonymous token';
  const moved = credential && ctx.tokens.grants.redirectedTo;
  if (moved) return new AccessDeniedError(`${where}: access denied (${req.method} answered 401) to a token fetched without the credentials for ${ctx.host}: its token service at ${moved}`);
  return new AccessDeniedError(`${where}: repository absent or access denied (${req.method} answered 401 ${how}): ${check}${credential ? '' : unusedNote(ctx)}`);
}

/**
 * A 401 at an upload session the registry placed on another origin (a front end that names it by
 * another name): its credentials go to its own origin only (a Location is no reason to hand them
 * to another host), so every session placed there is refused alike; said so, not tried again as if
 * they were wrong.
 */
export function withheld(host: string, req: HttpRequest, res: HttpResponse): HttpResponse {
  if (res.status !== 401 || !isUpload(req.url)) return res;
  discard(res.body, header(res, 'content-length'));
  throw new MisplacedLocationError(host, `${req.method} ${displayUrl(req.url)}: 401 Unauthorized there, where regmirror sends no credentials of ${host}${elsewhere(host, req.url)}`);
}
