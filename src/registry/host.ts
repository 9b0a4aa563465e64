// Everything regmirror keeps per registry host for a run: where it is, its pool and lanes,
// its transport stack (auth → redirects → retry → send), tokens, and what we learned about it.
import type { Agent } from 'undici';
import type { RegistrySettings } from '../config/model.js';
import type { Logger } from '../ui/log.js';
import type { CredentialProvider } from './credentials.js';
import { Authenticator } from './http/auth.js';
import { Lanes } from './http/limiter.js';
import { createAgent, foreignAgent } from './http/pool.js';
import { withRedirects } from './http/redirect.js';
import { withRetry, type RetryPolicy } from './http/retry.js';
import { baseUrlFor } from './http/scheme.js';
import { createSend, type TransportStats } from './http/send.js';
import { TokenCache } from './http/token.js';
import type { Send } from './http/types.js';

/** Knobs the client passes down; the test-only ones keep integration tests fast. */
export interface HostOptions {
  settings?: RegistrySettings;
  endpoint?: string;
  credentials: CredentialProvider;
  concurrency: number;
  logger: Logger;
  userAgent: string;
  stats: TransportStats;
  backoffBaseMs: number;
  tagPageSize: number;
  chunkBytes: number;
  forceChunkedUploads: boolean;
}

/** One registry host's state, shared by every repository on it. */
export class HostContext {
  readonly base: URL;
  readonly send: Send;
  readonly retry: RetryPolicy;
  readonly agent: Agent;
  /** Upload sessions left by a refused mount (202), keyed `path@digest`, used by the next push. */
  readonly uploadSessions = new Map<string, URL>();
  /** Set once the host has shown it has no referrers API. */
  referrersUnsupported = false;
  /** Set once the host has refused a monolithic upload, or when OCI-Chunk-Min-Length asks for chunks. */
  chunkedUploads: boolean;
  private readonly trustedOrigins = new Set<string>();

  constructor(readonly host: string, readonly options: HostOptions) {
    this.base = baseUrlFor(host, options.settings, options.endpoint);
    this.trustedOrigins.add(this.base.origin);
    this.chunkedUploads = options.forceChunkedUploads;
    // 3 × concurrency request slots (see limiter.ts), so the pool can open that many.
    this.agent = createAgent(options.settings, options.concurrency * 3);
    this.retry = {
      maxAttempts: Math.max(1, options.settings?.maxAttempts ?? 5),
      baseMs: options.backoffBaseMs,
      maxDelayMs: 10_000,
      onRetry: () => options.stats.retries++,
    };
    const send = createSend({
      lanes: new Lanes(options.concurrency),
      // The registry and its token realm use the host's TLS settings; other origins
      // (redirect targets such as object stores) get Node's default verification.
      dispatcherFor: (url) => (this.trustedOrigins.has(url.origin) ? this.agent : foreignAgent()),
      stats: options.stats,
      logger: options.logger,
      userAgent: options.userAgent,
    });
    const auth = new Authenticator({
      host,
      base: this.base,
      credentials: options.credentials,
      tokens: new TokenCache(),
      onTokenFetch: () => options.stats.tokenFetches++,
      onRealm: (realm) => this.trustedOrigins.add(realm.origin),
    });
    this.send = auth.layer(withRedirects(withRetry(host, this.retry, send)));
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
