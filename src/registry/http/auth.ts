// The outermost layer (go-containerregistry transport/bearer.go + ping.go): learn each host's
// challenge (GET /v2/ once, or without credentials from the first 401), attach Basic or Bearer
// credentials to requests for that origin only, and on a 401 merge the scope it names, refresh the
// token and replay once. Here the replay; the challenge, the header and what a refusal says are
// auth-challenge.ts, auth-header.ts and auth-refusals.ts.
import { credentialFor, type AuthContext } from './auth-context.js';
import { HostChallenge } from './auth-challenge.js';
import { authorization, withAuthorization } from './auth-header.js';
import { accessDenied, basicRefused, withheld } from './auth-refusals.js';
import { discard } from './body.js';
import { mergeScopes, parseChallenges, pickChallenge, repositoryOf } from './challenge.js';
import { DeniedScopes } from './denied.js';
import { scopeKey } from './token.js';
import { header, isReplayable, type HttpRequest, type Send } from './types.js';

/** Authenticates requests to one registry host. */
export class Authenticator {
  /** What the host asks for: its challenge, and its repositories without credentials (auth-challenge.ts). */
  private readonly challenges: HostChallenge;
  /** The host's origin, a string asked of every request (a URL's origin is made anew each time). */
  private readonly origin: string;
  /** Scope sets a fresh token could not open: asked once, then refused without the network (for a while). */
  private readonly denied: DeniedScopes;

  constructor(private readonly ctx: AuthContext) {
    this.challenges = new HostChallenge(ctx);
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
      const { challenges } = this;
      // A repository without credentials on a host that asked for none so far: what challengeFor does, in this frame.
      const learned = challenges.ping === undefined && isReplayable(req) && challenges.anonymous.has(repositoryOf(req.scopes)) ? challenges.heard(await next(req)) : await challenges.challengeFor(next, req);
      if ('status' in learned) return learned; // answered without credentials
      const challenge = learned;
      const first = await authorization(this.ctx, next, challenge, req.scopes, undefined, req.signal);
      const res = await next(withAuthorization(req, first));
      if (res.status !== 401 || res.url.origin !== this.ctx.base.origin || !isReplayable(req)) return res;
      const renewed = pickChallenge(parseChallenges(res.headers['www-authenticate'])) ?? challenge;
      if (renewed.scheme === 'basic' && challenge.scheme === 'basic') {
        // Nothing to renew: the username and password were refused, or none were given.
        discard(res.body, header(res, 'content-length'));
        throw basicRefused(this.ctx, await credentialFor(this.ctx, req.scopes), first !== undefined);
      }
      discard(res.body, header(res, 'content-length'));
      // /v2/ asked for Basic but a repository asks for a token (tokens4 hunt): its challenge is
      // the host's from now on. Kept at Basic, every request went twice, each with a token fetch
      // of its own, and a blob's streamed PUT, which cannot be replayed, was refused every time.
      const learnedBearer = challenge.scheme === 'basic' && renewed.scheme === 'bearer';
      if (learnedBearer) challenges.ping = Promise.resolve(renewed);
      const scopes = mergeScopes(req.scopes, (renewed.params.scope ?? '').split(' ').filter(Boolean));
      // A request refused with Basic carried no token: a cached one was never refused.
      const refusedAt = learnedBearer ? undefined : first?.takenAt ?? this.ctx.tokens.fetches;
      const second = await authorization(this.ctx, next, renewed, scopes, refusedAt, req.signal);
      const again = await next(withAuthorization(req, second));
      if (again.status !== 401 || renewed.scheme !== 'bearer' || again.url.origin !== this.ctx.base.origin) return again;
      // A fresh token was issued and still refused: not an expired token but a repository that
      // is absent or closed to us (quay.io answers 401, not 404). Say so once per scope set and
      // do not ask the token service again for it while the refusal stands.
      discard(again.body, header(again, 'content-length'));
      const error = await accessDenied(this.ctx, req, scopes, second?.authorization, pickChallenge(parseChallenges(again.headers['www-authenticate'])));
      this.denied.set(scopeKey(req.scopes), error);
      throw error;
    };
  }
}
