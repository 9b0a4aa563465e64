// The entry point for the native engine: one RegistryClient per run hands out RemoteRepository
// stores and owns every host's pools, tokens and counters.
import type { RegistrySettings } from '../config/model.js';
import { CertsDirError, UsageError, type UnreachableError } from '../types/errors.js';
import { silentLogger, type Logger } from '../ui/log.js';
import { credentialsFor, type CredentialProvider } from './credentials.js';
import { HostContext } from './host.js';
import { certsDirFor, hostCerts } from './http/certs-d.js';
import { closePools, createPools, destroyForeignPools, destroyPools, type Pools } from './http/pool.js';
import { processProxies, sayProxyOnce } from './http/proxy.js';
import { sayReturnWaits, stopReturnWaits } from './http/restart-wait.js';
import { PROXY_DOWN_MS } from './http/tls-errors.js';
import { sayProtocolOnce } from './http/alpn.js';
import { Unanswered } from './http/unanswered.js';
import type { TransportStats } from './http/send.js';
import { RemoteRepository } from './repository.js';
import { settleUploads } from './upload-cancel.js';
import { VERSION } from '../version.js';

/** How the client reaches registries. */
export interface RegistryClientOptions {
  /** Per-host settings from mirrors.yaml (src/config/model.ts RegistrySettings), keyed by host as written. */
  registries?: Map<string, RegistrySettings>;
  /** --endpoint HOST=URL overrides (win over settings.endpoint). */
  endpoints?: Map<string, string>;
  /** Where credentials come from; default = credentialsFor(registries). */
  credentials?: CredentialProvider;
  /** Per-registry requests in flight when settings don't say (default 8). */
  defaultConcurrency?: number;
  /** debug() lines for -v (method, URL, status, ms), never credentials. */
  logger?: Logger;
  /** Default "regmirror/<version>". */
  userAgent?: string;
  /**
   * How long a repository refused after authenticating (quay.io's 401 for an absent one) stays
   * refused without asking again; default for good, which suits a run. The gateway sets it.
   */
  deniedTtlMs?: number;
  /**
   * How long a refused certificate or a proxy's refusal (407, 403) fails that origin's requests
   * without asking again; default for good, which suits a run. The gateway sets it: a registry's
   * renewed certificate, or a proxy that now allows it, is found again without a restart.
   */
  verdictTtlMs?: number;
  /**
   * Hears of each refused certificate or proxy refusal once per origin (until it answers again);
   * default an error line on the logger, a run's. The gateway says it as a backend failing over.
   */
  onRefused?: (e: UnreachableError) => void;
  /**
   * Slow a host down after its 429 (throttle.ts); default true, which suits a run. The gateway
   * turns it off: its breaker fails such a host over for an interval instead of making clients wait.
   */
  pace?: boolean;
  /**
   * How long connections to a registry that took this run's earlier ones and now refuses or resets
   * them wait for it to take connections again (restart-wait.ts: a restart, a load balancer's
   * drain); default PROXY_DOWN_MS, which suits a run. The gateway sets 0: it fails over instead.
   */
  restartWaitMs?: number;
  /**
   * How long an answer, or a body between two chunks, may keep us waiting (default 60 s). The
   * gateway sets its --timeout: a stream that stalls is carried on from the next backend.
   */
  answerTimeoutMs?: number;
  /** Test-only knobs: fast retries, small pages and chunks. */
  testing?: { backoffBaseMs?: number; tagPageSize?: number; chunkBytes?: number; forceChunkedUploads?: boolean; answerTimeoutMs?: number };
}

/** Hands out remote repositories; one per run, closed at the end. */
export class RegistryClient {
  /** Counters for tests and the benchmark. */
  readonly stats: TransportStats = { requests: 0, byMethod: {}, retries: 0, tokenFetches: 0 };
  /** Requests sent and not answered yet: what a run that stopped moving waits on (the progress line). */
  readonly unanswered = new Unanswered();
  private readonly hosts = new Map<string, HostContext>();
  /** Pools for redirect targets that mirrors.yaml lists or certs.d holds, by host; undefined: the foreign pools (see redirectPoolsFor). */
  private readonly redirectPools = new Map<string, Pools | undefined>();
  private readonly credentials: CredentialProvider;
  private readonly proxyNotice = sayProxyOnce((line) => (this.opts.logger ?? silentLogger).debug(line));
  private readonly protocolNotice = sayProtocolOnce((line) => (this.opts.logger ?? silentLogger).debug(line));
  /** Waits for a forward proxy or registry that went away (restart-wait.ts), said as -v lines until close(), or to waitsTo. */
  private readonly returnWaits = sayReturnWaits((line) => {
    const log = this.opts.logger ?? silentLogger;
    if (this.waitsTo && !log.verbose) this.waitsTo(line);
    else log.debug(line);
  });
  private waitsTo: ((line: string) => void) | undefined;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.credentials = opts.credentials ?? credentialsFor(opts.registries, { logger: opts.logger });
    // A proxy URL regmirror cannot use (socks5://, not a URL) is said before any request.
    processProxies();
  }

  /**
   * Says each wait for a peer that went away, and its end, to `say` (a command's progress) where
   * -v is off: a sync held by a restarting registry or proxy showed nothing for up to 30 s without
   * -v (the progress line names a wait only once nothing moved for its interval). One line as the
   * wait begins and one as it ends, not one per request.
   */
  sayWaitsTo(say: (line: string) => void): void {
    this.waitsTo = say;
  }

  /**
   * The hosts slowed down after their 429s, for the progress line: `docker.io slowed to 1.5
   * requests/s (429)`. During minutes of a rate limit the run moves, slowly, and the line's
   * figures alone read as a slow network; the warning that said why was long scrolled away.
   */
  paced(): string | undefined {
    const slowed = [...this.hosts].filter(([, h]) => Number.isFinite(h.throttle.rate)).map(([name, h]) => `${name} slowed to ${h.throttle.rate.toFixed(1)} requests/s (429)`);
    return slowed.length > 0 ? slowed.join(', ') : undefined;
  }

  /** access decides the token scope: 'pull' for sources, 'push' = pull,push for targets. */
  repository(registry: string, path: string, access: 'pull' | 'push'): RemoteRepository {
    return new RemoteRepository(this.host(registry), path, access);
  }

  /**
   * Sets up each registry's host now: a usage error in its settings or certs.d directory (exit 2)
   * is said before anything starts, not at its first request (the gateway's first probe, where
   * it ended the process as an internal error).
   */
  prepare(registries: Iterable<string>): void {
    for (const registry of registries) this.host(registry);
  }

  /**
   * The next requests to `registry` (and its token realm) go over new connections, whose TLS
   * handshake judges the certificate it serves now, with its certs.d directory and caFile read
   * again when they changed; those in flight finish on the old ones.
   */
  reconnect(registry: string): void {
    this.host(registry).reconnect();
  }

  /** Cancels the upload sessions the run left behind (upload-cancel.ts), then closes every connection pool. */
  async close(): Promise<void> {
    this.returnWaits();
    await Promise.all([...this.hosts.values()].map(settleUploads));
    await Promise.all(this.takePools().map(closePools));
  }

  /**
   * Fails every request still in the pools at once (an interrupted run: SIGINT/SIGTERM). Requests
   * carry the run's abort signal, but undici hears it only once a connection is made or has failed.
   */
  interrupt(): void {
    for (const pools of this.takePools()) destroyPools(pools);
    destroyForeignPools();
    stopReturnWaits();
  }

  /** Every host's pools and the redirect targets', which the client forgets: a later request opens new ones. */
  private takePools(): Pools[] {
    const pools = [...[...this.hosts.values()].flatMap((h) => h.allPools()), ...[...this.redirectPools.values()].filter((p): p is Pools => p !== undefined)];
    this.hosts.clear();
    this.redirectPools.clear();
    return pools;
  }

  // A redirect to an https:// origin whose host has an entry under registries:, or a certs.d
  // directory, trusts what they say (its caFile, tls: insecure, the directory's CAs and client
  // certificate), as a request to that registry itself would; others share the foreign pools.
  // A directory that cannot be used fails the redirect, said once per origin (tls-errors.ts
  // withTlsVerdicts), where it was a UsageError thrown mid-request, read again for each blob.
  private redirectPoolsFor(url: URL): Pools | undefined {
    if (url.protocol !== 'https:') return undefined;
    if (this.redirectPools.has(url.host)) return this.redirectPools.get(url.host);
    const settings = this.opts.registries?.get(url.host);
    let pools: Pools | undefined;
    try {
      const certs = hostCerts(certsDirFor(url.host), url.host);
      const own = certs || settings?.tls === 'insecure' || settings?.caFile;
      pools = own ? createPools(settings, 16, { notice: this.proxyNotice, protocol: this.protocolNotice, certs }) : undefined;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new CertsDirError(url.host, `${url.host}, where a blob was redirected: ${e.message}`);
    }
    this.redirectPools.set(url.host, pools);
    return pools;
  }

  private host(registry: string): HostContext {
    let host = this.hosts.get(registry);
    if (!host) {
      const settings = this.opts.registries?.get(registry);
      const concurrency = settings?.concurrency ?? this.opts.defaultConcurrency ?? 8;
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency for ${registry} must be a positive integer`);
      host = new HostContext(registry, {
        settings,
        endpoint: this.opts.endpoints?.get(registry),
        credentials: this.credentials,
        concurrency,
        logger: this.opts.logger ?? silentLogger,
        userAgent: this.opts.userAgent ?? `regmirror/${VERSION}`,
        stats: this.stats,
        unanswered: this.unanswered,
        backoffBaseMs: this.opts.testing?.backoffBaseMs ?? 250,
        // quay.io refuses pages over 100 (and most registries cap there): ask for what all accept.
        tagPageSize: this.opts.testing?.tagPageSize ?? 100,
        chunkBytes: this.opts.testing?.chunkBytes ?? 8 * 1024 * 1024,
        forceChunkedUploads: this.opts.testing?.forceChunkedUploads ?? false,
        answerTimeoutMs: this.opts.answerTimeoutMs ?? this.opts.testing?.answerTimeoutMs,
        deniedTtlMs: this.opts.deniedTtlMs,
        verdictTtlMs: this.opts.verdictTtlMs,
        onRefused: this.opts.onRefused,
        pace: this.opts.pace,
        restartWaitMs: this.opts.restartWaitMs ?? PROXY_DOWN_MS,
        redirectPools: (url) => this.redirectPoolsFor(url),
        renewRedirectPools: (other) => {
          const pools = this.redirectPools.get(other);
          this.redirectPools.delete(other);
          if (pools) void closePools(pools).catch(() => {});
        },
        ownEntry: (other) => {
          const entry = this.opts.registries?.get(other);
          return entry?.caFile !== undefined || entry?.tls === 'insecure';
        },
        proxyNotice: this.proxyNotice,
        protocolNotice: this.protocolNotice,
      });
      this.hosts.set(registry, host);
    }
    return host;
  }
}
