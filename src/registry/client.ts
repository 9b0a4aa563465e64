// The entry point for the native engine: one RegistryClient per run hands out RemoteRepository
// stores and owns every host's pools, tokens and counters.
import { silentLogger } from '../ui/log.js';
import type { RegistryClientOptions } from './client-options.js';
import { hostOptions } from './client-hosts.js';
import { RedirectPools } from './client-redirects.js';
import { credentialsFor, type CredentialProvider } from './credentials.js';
import { HostContext } from './host.js';
import { closePools, destroyForeignPools, destroyPools, type Pools } from './http/pool.js';
import { processProxies, sayProxyOnce } from './http/proxy.js';
import { sayReturnWaits, stopReturnWaits } from './http/restart-wait.js';
import { sayProtocolOnce } from './http/alpn.js';
import { Unanswered } from './http/unanswered.js';
import type { TransportStats } from './http/send-context.js';
import { RemoteRepository } from './repository.js';
import { settleUploads } from './upload-cancel.js';

/** Hands out remote repositories; one per run, closed at the end. */
export class RegistryClient {
  /** Counters for tests and the benchmark. */
  readonly stats: TransportStats = { requests: 0, byMethod: {}, retries: 0, tokenFetches: 0 };
  /** Requests sent and not answered yet: what a run that stopped moving waits on (the progress line). */
  readonly unanswered = new Unanswered();
  private readonly hosts = new Map<string, HostContext>();
  private readonly credentials: CredentialProvider;
  private readonly proxyNotice = sayProxyOnce((line) => (this.opts.logger ?? silentLogger).debug(line));
  private readonly protocolNotice = sayProtocolOnce((line) => (this.opts.logger ?? silentLogger).debug(line));
  /** Pools for redirect targets that mirrors.yaml lists or certs.d holds (client-redirects.ts). */
  private readonly redirects: RedirectPools;
  /** Waits for a forward proxy or registry that went away (restart-wait.ts), said as -v lines until close(), or to waitsTo. */
  private readonly returnWaits = sayReturnWaits((line) => {
    const log = this.opts.logger ?? silentLogger;
    if (this.waitsTo && !log.verbose) this.waitsTo(line);
    else log.debug(line);
  });
  private waitsTo: ((line: string) => void) | undefined;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.credentials = opts.credentials ?? credentialsFor(opts.registries, { logger: opts.logger });
    this.redirects = new RedirectPools(opts, this.proxyNotice, this.protocolNotice);
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
    const pools = [...[...this.hosts.values()].flatMap((h) => h.allPools()), ...this.redirects.take()];
    this.hosts.clear();
    return pools;
  }

  private host(registry: string): HostContext {
    let host = this.hosts.get(registry);
    if (!host) {
      const shared = { credentials: this.credentials, stats: this.stats, unanswered: this.unanswered, redirects: this.redirects, proxyNotice: this.proxyNotice, protocolNotice: this.protocolNotice };
      host = new HostContext(registry, hostOptions(registry, this.opts, shared));
      this.hosts.set(registry, host);
    }
    return host;
  }
}
