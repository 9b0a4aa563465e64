// What a host asks for, learned once: GET /v2/ where there are credentials, else the 401 of a
// request sent as it is. Apart from the replay on a 401 (auth.ts), which reads it and may replace it.
import type { Credential } from '../credentials.js';
import { credentialFor, type AuthContext } from './auth-context.js';
import { discard } from './body.js';
import { parseChallenges, pickChallenge, repositoryOf, type Challenge } from './challenge.js';
import { apiUrl } from './scheme.js';
import { header, isReplayable, type HttpRequest, type HttpResponse, type Send } from './types.js';

/** One host's challenge, and the repositories found without credentials on the way. */
export class HostChallenge {
  /** The host's challenge, from GET /v2/ or a 401 (auth.ts sets it where a repository asks for a token after /v2/ asked for Basic). */
  ping: Promise<Challenge | undefined> | undefined;
  /**
   * Repositories (undefined: the host) whose credentials came back none (the provider looks each up
   * once a run): their requests then go out as they are, without a frame and a wait for the lookup
   * each (challengeFor).
   */
  readonly anonymous = new Set<string | undefined>();

  constructor(private readonly ctx: AuthContext) {}

  /**
   * The challenge to answer for `req`, or the registry's answer where it asked for none. Without
   * credentials for the host, requests go as they are until one is refused (containerd never pings
   * /v2/): a registry that needs no token answers a round trip sooner, and one that does answers
   * the first requests with the 401 the ping would have cost. With credentials, GET /v2/ asks once;
   * where /v2/ is open but a repository is not, that repository's 401 tells.
   */
  async challengeFor(next: Send, req: HttpRequest): Promise<Challenge | HttpResponse> {
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
  heard(res: HttpResponse): Challenge | HttpResponse {
    const learned = res.status === 401 ? this.learn(res) : undefined;
    if (!learned) return res;
    discard(res.body, header(res, 'content-length'));
    this.ping = Promise.resolve(learned);
    return learned;
  }

  /** The credential for `scopes` (credentialFor), noting a repository that has none (anonymous). */
  private async noted(scopes: string[]): Promise<Credential | undefined> {
    const credential = await credentialFor(this.ctx, scopes);
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
}
