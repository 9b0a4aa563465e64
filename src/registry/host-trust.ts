// Which TLS settings a request of one registry host goes with, and whose entry fixes a refused
// certificate. The registry and its token realm use the host's own (caFile, tls, its certs.d,
// whose directory is the one of the host connected to, an endpoint's, as skopeo's is); a redirect
// target on another origin its own entry under registries: or certs.d (the client's
// redirectPools), else Node's roots and the machine's store.
import type { Agent } from './http/undici.js';
import { certsDirFor, clientDates, hostCerts, type CertsDir, type HostCerts } from './http/certs-d.js';
import { createPools, foreignPools, poolFor, type Pools } from './http/pool.js';
import { misplaced, type CertEntry } from './http/unreachable.js';
import type { HostOptions } from './host.js';

export class HostTrust {
  /** The host's own pools: 3 × concurrency connections (see limiter.ts). */
  readonly pools: Pools;
  /** The pools of redirect targets with no trust of their own, when the host has CAs to lend them (see lent). */
  private lentPools: Pools | undefined;
  private readonly origins = new Set<string>();
  private readonly certs: HostCerts | undefined;
  private readonly certsDir: CertsDir;

  constructor(private readonly host: string, private readonly base: URL, private readonly options: HostOptions) {
    this.origins.add(base.origin);
    const tls = base.protocol === 'https:';
    const looked = certsDirFor(base.host);
    this.certs = tls ? hostCerts(looked, base.host) : undefined;
    const client = this.certs?.client;
    const dates = client && clientDates(client.cert);
    this.certsDir = { ...looked, ...(client ? { client: client.certFile } : {}), ...(dates ? { clientDates: dates } : {}) };
    this.pools = createPools(options.settings, options.concurrency * 3, { answerTimeoutMs: options.answerTimeoutMs, notice: options.proxyNotice, protocol: options.protocolNotice, certs: this.certs, plainHttp: !tls });
  }

  /**
   * Whether the gateway may send its clients to the host (a blob's 307): not when the host is
   * shown the client certificate from its certs.d directory (mutual TLS), which they do not have.
   */
  get opensToClients(): boolean {
    return !this.certs?.client;
  }

  /** A token realm the host named: its origin goes with the host's settings (see lends). */
  trust(origin: string): void {
    this.origins.add(origin);
  }

  /** The pool a request to `url` goes on (`bulky`: pool.ts). */
  poolFor(url: URL, bulky: boolean): Agent {
    return poolFor(this.lends(url) ? this.pools : this.options.redirectPools?.(url) ?? this.lent(), url, bulky);
  }

  /**
   * Whose entry a refused certificate at `url` is. A redirect target's is its own, and so is the
   * entry that fixes it; a token realm on another origin shares the host's entry, but its
   * certificate is its own.
   */
  certFor(url: URL): CertEntry {
    const { host, base, options } = this;
    if (this.lends(url)) return { host, caFile: options.settings?.caFile !== undefined, certsDir: this.certsDir, ...(url.origin !== base.origin ? { realm: url.origin } : this.plainEndpoint()) };
    if (this.origins.has(url.origin)) return { host, caFile: false, realm: url.origin, realmOwn: true, certsDir: certsDirFor(url.host) };
    return { host: url.host, caFile: false, ...misplaced(url, base) };
  }

  /** The http:// endpoint the host is reached by, and where it is set, for a TLS port's refusal (tls-errors.ts). */
  private plainEndpoint(): Pick<CertEntry, 'plainEndpoint'> {
    const { host, base, options } = this;
    const given = options.endpoint ?? options.settings?.endpoint;
    if (!given || base.protocol !== 'http:') return {};
    return { plainEndpoint: `${base.origin}${base.pathname.replace(/\/+$/, '')} ${options.endpoint ? '(--endpoint)' : `under registries: ${host}`}` };
  }

  /** Every pool of the host: its own and those it lent its CAs to (closed with the client). */
  allPools(): Pools[] {
    return this.lentPools ? [this.pools, this.lentPools] : [this.pools];
  }

  /**
   * Whether a request to `url` goes with the host's TLS settings: its own origin, or its token
   * realm, unless that is https for a plain-http host, which has no TLS settings to lend it (its
   * pools skip the store): such a realm was 'not trusted' with its CA in SSL_CERT_FILE or
   * certs.d, where skopeo got a token; it is trusted as its own host, as a redirect target is.
   */
  private lends(url: URL): boolean {
    return this.origins.has(url.origin) && (this.base.protocol === 'https:' || url.protocol === 'http:');
  }

  /**
   * The pools of a redirect target on another origin that has no trust of its own: the foreign
   * pools, and the host's CAs (caFile, certs.d's *.crt) beside them when it has some. skopeo (one
   * client per registry, engine: skopeo too) trusts an object store signed by the registry's
   * private CA, as Harbor with its MinIO often is; native said 'not trusted'. Not its client
   * certificate (never shown to another origin) nor `tls: insecure` (verification stays on there).
   */
  private lent(): Pools {
    const caFile = this.options.settings?.caFile;
    const certs = this.certs;
    if (!caFile && !certs?.ca.length) return foreignPools();
    this.lentPools ??= createPools({ host: this.host, tls: 'verify', ...(caFile ? { caFile } : {}) }, 16, { notice: this.options.proxyNotice, protocol: this.options.protocolNotice, ...(certs ? { certs: { host: certs.host, dir: certs.dir, ca: certs.ca } } : {}) });
    return this.lentPools;
  }
}
