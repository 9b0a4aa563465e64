// Everything regmirror keeps per registry host for a run: where it is, its pool and lanes,
// its transport stack (auth → redirects → retry → send), tokens, and what we learned about it.
import type { Unanswered } from './http/unanswered.js';
import type { RegistrySettings } from '../config/model.js';
import type { Logger } from '../ui/log.js';
import type { CredentialProvider } from './credentials.js';
import { Authenticator } from './http/auth.js';
import { UploadPolicy } from './upload-policy.js';
import { documentedBodyLimit } from './documented-limits.js';
import { lanesFor } from './http/rate-limit.js';
import { ANSWER_TIMEOUT_MS, CONNECT_TIMEOUT_MS } from './http/pool-limits.js';
import type { Pools } from './http/pool.js';
import { stallNotice } from './http/stall.js';
import { Silence, SilenceRefusal } from './http/silence.js';
import type { ProxyNotice } from './http/proxy.js';
import type { ProtocolNotice } from './http/alpn.js';
import { withRedirects } from './http/redirect.js';
import { withRetry, type RetryPolicy } from './http/retry.js';
import { baseUrlFor } from './http/scheme.js';
import { withTlsVerdicts } from './http/tls-errors.js';
import { HostTrust } from './host-trust.js';
import { createSend } from './http/send.js';
import type { TransportStats } from './http/send-context.js';
import { MIN_RATE, Throttle, withThrottle } from './http/throttle.js';
import { TokenCache } from './http/token.js';
import { displayUrl, type HttpRequest, type HttpResponse, type Send } from './http/types.js';
import type { RepositoryMissingError, UnreachableError } from '../types/errors.js';
import { countsAsRetry } from '../types/again.js';

/** Knobs the client passes down; the test-only ones keep integration tests fast. */
export interface HostOptions {
  settings?: RegistrySettings;
  endpoint?: string;
  credentials: CredentialProvider;
  concurrency: number;
  logger: Logger;
  userAgent: string;
  stats: TransportStats;
  /** Requests sent and not answered yet, the client's (unanswered.ts). */
  unanswered?: Unanswered;
  backoffBaseMs: number;
  tagPageSize: number;
  chunkBytes: number;
  forceChunkedUploads: boolean;
  /** How long an answer may keep us waiting (pool-limits.ts ANSWER_TIMEOUT_MS unless a test says less). */
  answerTimeoutMs?: number;
  /** How long a repository refused after authenticating stays refused without asking (default: for good). */
  deniedTtlMs?: number;
  /** How long a refused certificate or proxy refusal stands without asking again (default: for good). */
  verdictTtlMs?: number;
  /** Hears of each refused certificate or proxy refusal once per origin (default: an error line). */
  onRefused?: (e: UnreachableError) => void;
  /** false: no slowing down after a 429 (the gateway fails over instead). */
  pace?: boolean;
  /** How long connections wait for the registry to come back from a restart (pool.ts restartWaitMs; 0: not at all). */
  restartWaitMs?: number;
  /** The pools for a redirect target on another origin that mirrors.yaml lists (its caFile, tls: insecure); undefined = Node's default verification. */
  redirectPools?: (url: URL) => Pools | undefined;
  /** Drops the pools redirectPools made for `host`: the next request makes new ones, its TLS files read again. */
  renewRedirectPools?: (host: string) => void;
  /** Whether mirrors.yaml's registries: has an entry of its own for `host` that says how to trust it (caFile, tls: insecure): a token realm there goes with it. */
  ownEntry?: (host: string) => boolean;
  /** Hears of each origin reached with a proxy named (the client's -v line, once per origin). */
  proxyNotice?: ProxyNotice;
  /** Hears which HTTP version each TLS origin speaks (the client's -v line, once per origin). */
  protocolNotice?: ProtocolNotice;
}

/** One registry host's state, shared by every repository on it. */
export class HostContext {
  readonly base: URL;
  readonly send: Send;
  readonly retry: RetryPolicy;
  /**
   * Upload sessions opened ahead of a push, keyed `path@digest`, taken by the next push: left by a
   * refused mount (202), or being opened while the copier reads the blob (upload.ts openUpload).
   */
  readonly uploadSessions = new Map<string, URL | Promise<URL>>();
  /**
   * Repositories this registry said do not exist on a write (ECR's NAME_UNKNOWN: it creates none
   * on push): later writes there fail with the same error at once, not one refused request per
   * blob and manifest of the run (mixed hunt).
   */
  readonly missingRepositories = new Map<string, RepositoryMissingError>();
  /** Repositories shown to exist this run (a write landed, a tag or blob was found): a NAME_UNKNOWN there later is no missing repository. */
  readonly presentRepositories = new Set<string>();
  /** Set once the host has shown it has no referrers API. */
  referrersUnsupported = false;
  /** Set once the host has answered a referrers listing with an index: it has the API. */
  referrersAnswered = false;
  /** The listing in flight that will tell whether the host has the API; the others wait for it. */
  referrersProbe: Promise<void> | undefined;
  /**
   * Cleared once PUTs of a manifest again did not cure a MANIFEST_BLOB_UNKNOWN here (Harbor and
   * Quay: the blob is the registry's, not the repository's): later ones go to the heal at once.
   */
  racedPutsHelp = true;
  /** Monolithic or chunked, and the chunk size: what this registry's refusals and headers taught the run. */
  readonly uploads: UploadPolicy;
  /** This host's pace: unlimited until it answers 429 (throttle.ts). */
  readonly throttle = new Throttle();
  /** Which TLS settings each request goes with (host-trust.ts). */
  private readonly trust: HostTrust;

  /** Every pool of this host: its own and those it lent its CAs to (closed with the client). */
  allPools(): Pools[] {
    return this.trust.allPools();
  }

  /** New connections for the next requests, with the host's TLS files read again if they changed (host-trust.ts). */
  reconnect(): void {
    this.trust.reconnect();
  }

  /** Whether the gateway's clients could reach the host as the gateway does (host-trust.ts). */
  get opensToClients(): boolean {
    return this.trust.opensToClients;
  }

  constructor(readonly host: string, readonly options: HostOptions) {
    this.base = baseUrlFor(host, options.settings, options.endpoint);
    this.uploads = new UploadPolicy(host, options.chunkBytes, options.forceChunkedUploads, documentedBodyLimit(host));
    this.trust = new HostTrust(host, this.base, options);
    const maxAttempts = Math.max(1, options.settings?.maxAttempts ?? 5);
    const answerTimeoutMs = options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    // The connect timeout is the answer timeout when shorter (pool.ts): the first silence said is the shorter.
    const stalled = stallNotice(host, maxAttempts, Math.min(answerTimeoutMs, CONNECT_TIMEOUT_MS), options.logger);
    const lanes = lanesFor(options.concurrency, options.settings?.rateLimit);
    const silence = new Silence(this.base.origin, answerTimeoutMs);
    silence.onSilent((shown) => {
      options.logger.debug(`${host}: no answer in time, and nothing from it answered since that request went out: its requests waiting or in back-off fail now, and none is retried until it answers again`);
      lanes.refuseWaiting(new SilenceRefusal(shown));
    });
    this.retry = {
      maxAttempts,
      baseMs: options.backoffBaseMs,
      maxDelayMs: 10_000,
      onRetry: (e) => {
        options.stats.retries++;
        if (e) stalled(e);
      },
      // Unpaced (the gateway), nothing slows it down: each 429 without Retry-After earned another
      // try, and a backend answering 429 to all was asked until the deadline ('gave no answer').
      canSlowDown: () => options.pace !== false && this.throttle.rate > MIN_RATE,
      silence,
    };
    const send = createSend({
      lanes,
      dispatcherFor: (url, bulky) => this.trust.poolFor(url, bulky),
      renew: (dispatcher) => this.trust.allPools().find((pools) => pools.any === dispatcher)?.renew?.(),
      stats: options.stats,
      logger: options.logger,
      userAgent: options.userAgent,
      answerTimeoutMs,
      unanswered: options.unanswered,
    });
    const auth = new Authenticator({
      host,
      base: this.base,
      credentials: options.credentials,
      tokens: new TokenCache(),
      onTokenFetch: () => options.stats.tokenFetches++,
      onRealm: (realm) => this.trust.trust(realm.origin),
      deniedTtlMs: options.deniedTtlMs,
    });
    const onRefresh = (req: HttpRequest, refused: HttpResponse) =>
      options.logger.debug(`${refused.url.origin} refused the URL ${host} redirected ${displayUrl(req.url)} to (${refused.status}, expired?): asking ${host} for a fresh one`);
    const credentialFrom = async () => {
      const credential = await options.credentials(host);
      return credential && (credential.from ?? '');
    };
    const paced = options.pace === false ? send : withThrottle({ host, origin: this.base.origin, throttle: this.throttle, logger: options.logger, credentialFrom }, send);
    const certFor = (url: URL) => this.trust.certFor(url);
    const layered = auth.layer(withRedirects(withTlsVerdicts(withRetry(host, this.retry, paced, certFor), options.onRefused ?? ((e) => options.logger.error(e.message)), certFor, options.verdictTtlMs), onRefresh));
    // Counted once here, whatever the layers below send for it (a token, a redirect's hop).
    this.send = (req) => {
      if (countsAsRetry(req.again)) options.stats.retries++;
      return layered(req);
    };
  }
}
