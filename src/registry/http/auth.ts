// The outermost layer (go-containerregistry transport/bearer.go + ping.go): learn each host's
// challenge (GET /v2/ once, or without credentials from the first 401), attach Basic or Bearer
// credentials to requests for that origin only, and on a 401 merge the scope it names, refresh the
// token and replay once.
import { AccessDeniedError, AuthError, MisplacedLocationError } from '../../types/errors.js';
import type { Credential, CredentialProvider } from '../credentials.js';
import { paddingNote } from '../credential-padding.js';
import { discard } from './body.js';
import { mergeScopes, parseChallenges, pickChallenge, repositoryOf, type Challenge } from './challenge.js';
import { DeniedScopes } from './denied.js';
import { apiUrl } from './scheme.js';
import { fetchToken, scopeKey, type TokenCache } from './token.js';
import { grantedActions } from './token-claims.js';
import { displayUrl, header, isReplayable, type BearerLease, type HttpRequest, type HttpResponse, type Send } from './types.js';
import { elsewhere, isUpload } from './unreachable.js';

/** What the auth layer needs from its host. */
export interface AuthContext {
  host: string;
  base: URL;
  credentials: CredentialProvider;
  tokens: TokenCache;
  /** Counts a token fetch (stats.tokenFetches). */
  onTokenFetch(): void;
  /** Told about a token realm, so its origin may use the host's TLS settings. */
  onRealm(realm: URL): void;
  /** How long a refused scope set stays refused without asking (default: for good; see denied.ts). */
  deniedTtlMs?: number;
}

/** Authenticates requests to one registry host. */
export class Authenticator {
  private ping: Promise<Challenge | undefined> | undefined;
  /**
   * Repositories (undefined: the host) whose credentials came back none (the provider looks each up
   * once a run): their requests then go out as they are, without a frame and a wait for the lookup
   * each (challengeFor).
   */
  private readonly anonymous = new Set<string | undefined>();
  /** The host's origin, a string asked of every request (a URL's origin is made anew each time). */
  private readonly origin: string;
  /** Scope sets a fresh token could not open: asked once, then refused without the network (for a while). */
  private readonly denied: DeniedScopes;

  constructor(private readonly ctx: AuthContext) {
    this.denied = new DeniedScopes(ctx.deniedTtlMs);
    this.origin = ctx.base.origin;
  }

  /** Wraps `next` (redirects, retries, send) with authentication. */
  layer(next: Send): Send {
    return async (req: HttpRequest) => {
      if (req.url.origin !== this.origin) return withheld(this.ctx.host, req, await next(req));
      if (req.anonymous) return next(req);
      const denied = req.scopes.length > 0 ? this.denied.get(scopeKey(req.scopes)) : undefined;
      if (denied) throw denied;
      // A repository without credentials on a host that asked for none so far: what challengeFor does, in this frame.
      const learned = this.ping === undefined && isReplayable(req) && this.anonymous.has(repositoryOf(req.scopes)) ? this.heard(await next(req)) : await this.challengeFor(next, req);
      if ('status' in learned) return learned; // answered without credentials
      const challenge = learned;
      const first = await this.authorization(next, challenge, req.scopes, undefined, req.signal);
      const res = await next(withAuthorization(req, first));
      if (res.status !== 401 || res.url.origin !== this.ctx.base.origin || !isReplayable(req)) return res;
      const renewed = pickChallenge(parseChallenges(res.headers['www-authenticate'])) ?? challenge;
      if (renewed.scheme === 'basic' && challenge.scheme === 'basic') {
        // Nothing to renew: the username and password were refused, or none were given.
        discard(res.body, header(res, 'content-length'));
        throw this.basicRefused(await this.credentialFor(req.scopes), first !== undefined);
      }
      discard(res.body, header(res, 'content-length'));
      // /v2/ asked for Basic but a repository asks for a token (tokens4 hunt): its challenge is
      // the host's from now on. Kept at Basic, every request went twice, each with a token fetch
      // of its own, and a blob's streamed PUT, which cannot be replayed, was refused every time.
      const learnedBearer = challenge.scheme === 'basic' && renewed.scheme === 'bearer';
      if (learnedBearer) this.ping = Promise.resolve(renewed);
      const scopes = mergeScopes(req.scopes, (renewed.params.scope ?? '').split(' ').filter(Boolean));
      // A request refused with Basic carried no token: a cached one was never refused.
      const refusedAt = learnedBearer ? undefined : first?.takenAt ?? this.ctx.tokens.fetches;
      const second = await this.authorization(next, renewed, scopes, refusedAt, req.signal);
      const again = await next(withAuthorization(req, second));
      if (again.status !== 401 || renewed.scheme !== 'bearer' || again.url.origin !== this.ctx.base.origin) return again;
      // A fresh token was issued and still refused: not an expired token but a repository that
      // is absent or closed to us (quay.io answers 401, not 404). Say so once per scope set and
      // do not ask the token service again for it while the refusal stands.
      discard(again.body, header(again, 'content-length'));
      const error = await this.accessDenied(req, scopes, second?.authorization, pickChallenge(parseChallenges(again.headers['www-authenticate'])));
      this.denied.set(scopeKey(req.scopes), error);
      throw error;
    };
  }

  /**
   * The credential for the repository `scopes` act on: the one pushed to where there is one (a
   * mount's token also names its source), else the one read; the host's for none (the ping).
   */
  private credentialFor(scopes: string[]): Promise<Credential | undefined> {
    return this.ctx.credentials(this.ctx.host, repositoryOf(scopes));
  }

  private basicRefused(credential: Credential | undefined, sent: boolean): AuthError {
    const host = this.ctx.host;
    const where = `registries.${host}.credentials, or docker login ${host}`;
    // A bearer token (tokenEnv, registrytoken) cannot go in Basic auth: said as given, not as none given.
    if (credential && 'registryToken' in credential) {
      const instead = credential.from?.startsWith('mirrors.yaml') ? 'usernameEnv and passwordEnv there instead of tokenEnv' : 'a username and password there instead of its registrytoken';
      return new AuthError(`${host} asks for a username and password (401, Basic auth) and takes no bearer token: the token ${credential.from ? `from ${credential.from} ` : ''}was not sent; give ${instead} (a registry that takes a token as the password: the account as username, the token as password)`);
    }
    if (!sent || !credential) return new AuthError(`${host} asks for a username and password (401): give them (${where})${credential ? '' : this.unusedNote()}`);
    const check = credential.from ? `check them in ${credential.from}` : `check them (${where})`;
    return new AuthError(`${host} refused the username and password sent to it (401): ${check}${paddingNote(credential)}`);
  }

  private async accessDenied(req: HttpRequest, scopes: string[], authorization: string | undefined, refusal: Challenge | undefined): Promise<AccessDeniedError> {
    const credential = await this.credentialFor(req.scopes);
    // A token given as it is (tokenEnv, Docker's registrytoken) that the registry calls invalid
    // (RFC 6750 invalid_token): no repository name or access right to check, as the line below
    // sent users to do (tokens4 hunt), but the token itself.
    if (credential && 'registryToken' in credential && refusal?.params.error === 'invalid_token') {
      return new AccessDeniedError(`${this.ctx.host}: it refused the bearer token${credential.from ? ` from ${credential.from}` : ''} as invalid (401 invalid_token: expired, revoked, or issued for another registry): give a current token for ${this.ctx.host}`);
    }
    // A push refused with a token that grants pull on the repository (a read-only robot account):
    // the repository is there and readable, and the credentials lack push on it. Say just that.
    const pushTo = req.scopes.map((s) => /^repository:(.+):([^:]+)$/.exec(s)).find((m) => m && m[2]!.split(',').includes('push'))?.[1];
    const granted = pushTo ? grantedActions(authorization, pushTo) : undefined;
    if (credential && pushTo && granted?.includes('pull') && !granted.includes('push')) {
      return new AccessDeniedError(`${this.ctx.host}/${pushTo}: the credentials used for ${this.ctx.host}${credential.from ? ` (from ${credential.from})` : ''} may pull but not push to it (its token service granted ${granted.join(',')} only): use credentials with push access to it`);
    }
    const repositories = scopes.map((s) => /^repository:(.+):[^:]+$/.exec(s)?.[1]).filter((r): r is string => !!r);
    const where = repositories.length > 0 ? repositories.map((r) => `${this.ctx.host}/${r}`).join(' or ') : this.ctx.host;
    const push = /\bpush\b/.test(req.scopes.join(' '));
    const check = credential
      ? `check the repository name and that the credentials used for ${this.ctx.host}${credential.from ? ` (from ${credential.from})` : ''} may ${push ? 'push to' : 'pull from'} it`
      : `check the repository name, or give credentials for ${this.ctx.host} (registries.${this.ctx.host}.credentials or docker login) if it is private`;
    const how = credential ? 'after authenticating' : 'to an anonymous token';
    const moved = credential && this.ctx.tokens.grants.redirectedTo;
    if (moved) return new AccessDeniedError(`${where}: access denied (${req.method} answered 401) to a token fetched without the credentials for ${this.ctx.host}: its token service at ${moved}`);
    return new AccessDeniedError(`${where}: repository absent or access denied (${req.method} answered 401 ${how}): ${check}${credential ? '' : this.unusedNote()}`);
  }

  // Read anonymously, with a Docker config entry for the same machine at another port: said, as
  // docker and skopeo users are often caught by it (`docker login 127.0.0.1` for 127.0.0.1:30507).
  private unusedNote(): string {
    const note = this.ctx.credentials.unused?.(this.ctx.host);
    return note ? `; ${note}` : '';
  }

  /**
   * The challenge to answer for `req`, or the registry's answer where it asked for none. Without
   * credentials for the host, requests go as they are until one is refused (containerd never pings
   * /v2/): a registry that needs no token answers a round trip sooner, and one that does answers
   * the first requests with the 401 the ping would have cost. With credentials, GET /v2/ asks once;
   * where /v2/ is open but a repository is not, that repository's 401 tells.
   */
  private async challengeFor(next: Send, req: HttpRequest): Promise<Challenge | HttpResponse> {
    if (this.ping === undefined && isReplayable(req) && !(await this.noted(req.scopes)) && this.ping === undefined) return this.ask(next, req);
    const challenge = await this.challenge(next, req.signal);
    if (challenge) return challenge;
    return isReplayable(req) ? this.ask(next, req) : next(req);
  }

  /** Sends `req` unauthenticated: the answer, or the challenge its 401 names (kept for the host's later requests). */
  private async ask(next: Send, req: HttpRequest): Promise<Challenge | HttpResponse> {
    return this.heard(await next(req));
  }

  /** An answer to a request sent unauthenticated: itself, or the challenge its 401 names (kept for the host's later requests). */
  private heard(res: HttpResponse): Challenge | HttpResponse {
    const learned = res.status === 401 ? this.learn(res) : undefined;
    if (!learned) return res;
    discard(res.body, header(res, 'content-length'));
    this.ping = Promise.resolve(learned);
    return learned;
  }

  /** The credential for `scopes` (credentialFor), noting a repository that has none (anonymous). */
  private async noted(scopes: string[]): Promise<Credential | undefined> {
    const credential = await this.credentialFor(scopes);
    if (!credential) this.anonymous.add(repositoryOf(scopes));
    return credential;
  }

  /** The challenge a 401 names (its realm told to the host). */
  private learn(res: HttpResponse): Challenge | undefined {
    const picked = pickChallenge(parseChallenges(res.headers['www-authenticate']));
    if (picked?.scheme === 'bearer' && picked.params.realm) this.ctx.onRealm(new URL(picked.params.realm, this.ctx.base));
    return picked;
  }

  /** The host's challenge from GET /v2/, asked once (a failed ping is asked again next time). */
  private challenge(next: Send, signal?: AbortSignal): Promise<Challenge | undefined> {
    this.ping ??= (async () => {
      const res = await next({ method: 'GET', url: apiUrl(this.ctx.base, ''), scopes: [], signal });
      discard(res.body, header(res, 'content-length'));
      return res.status === 401 ? this.learn(res) : undefined;
    })().catch((e: unknown) => {
      this.ping = undefined;
      throw e;
    });
    return this.ping;
  }

  /** The Authorization for `scopes`; after a 401, `refusedAt` is when (TokenCache.fetches) the refused token was taken. */
  private async authorization(next: Send, challenge: Challenge, scopes: string[], refusedAt: number | undefined, signal?: AbortSignal): Promise<Attached | undefined> {
    const credential: Credential | undefined = await this.credentialFor(scopes);
    if (challenge.scheme === 'basic') {
      return credential && 'username' in credential ? { authorization: basic(credential.username, credential.password) } : undefined;
    }
    if (credential && 'registryToken' in credential) return { authorization: `Bearer ${credential.registryToken}` };
    const realm = challenge.params.realm;
    if (!realm) return undefined;
    const realmUrl = new URL(realm, this.ctx.base);
    this.ctx.onRealm(realmUrl);
    const service = { realm: realmUrl.href, service: challenge.params.service };
    const fetch = () => {
      this.ctx.onTokenFetch();
      const fetched = fetchToken(next, this.ctx.host, service, scopes, credential, signal, this.ctx.tokens.grants);
      // An anonymous token refused: the entry near the host that was not used is said with it.
      const note = credential ? '' : this.unusedNote();
      return note ? fetched.catch((err: unknown) => Promise.reject(err instanceof AuthError && !(err instanceof AccessDeniedError) ? new AuthError(err.message + note) : err)) : fetched;
    };
    const token = await this.ctx.tokens.get(scopes, fetch, refusedAt);
    const attached: Attached = { authorization: `Bearer ${token}`, takenAt: this.ctx.tokens.fetches };
    attached.lease = this.lease(scopes, fetch, attached);
    return attached;
  }

  /** The lease of the token cached for `scopes`: renewed from the cache, which fetches when it is due (slot.ts); `attached.takenAt` follows it. */
  private lease(scopes: string[], fetch: () => Promise<{ token: string; expiresIn: number }>, attached: Attached): BearerLease {
    return {
      origin: this.ctx.base.origin,
      expiresAt: this.ctx.tokens.expiresAt(scopes),
      renew: async () => {
        const token = await this.ctx.tokens.get(scopes, fetch);
        attached.takenAt = this.ctx.tokens.fetches;
        return `Bearer ${token}`;
      },
    };
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** An Authorization header, the lease of the bearer token in it, and TokenCache.fetches when that token was taken. */
interface Attached {
  authorization: string;
  lease?: BearerLease;
  takenAt?: number;
}

function withAuthorization(req: HttpRequest, attached: Attached | undefined): HttpRequest {
  if (!attached) return req;
  return { ...req, headers: { ...req.headers, authorization: attached.authorization }, lease: attached.lease };
}

/**
 * A 401 at an upload session the registry placed on another origin (a front end that names it by
 * another name): its credentials go to its own origin only (a Location is no reason to hand them
 * to another host), so every session placed there is refused alike; said so, not tried again as if
 * they were wrong.
 */
function withheld(host: string, req: HttpRequest, res: HttpResponse): HttpResponse {
  if (res.status !== 401 || !isUpload(req.url)) return res;
  discard(res.body, header(res, 'content-length'));
  throw new MisplacedLocationError(host, `${req.method} ${displayUrl(req.url)}: 401 Unauthorized there, where regmirror sends no credentials of ${host}${elsewhere(host, req.url)}`);
}
