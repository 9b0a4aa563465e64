// Which TLS settings a request of one registry host goes with, and whose entry fixes a refused
// certificate. The registry and its token realm use the host's own (caFile, tls, its certs.d,
// whose directory is the one of the host connected to, an endpoint's, as skopeo's is), unless the
// realm's host has an entry of its own under registries: (caFile, tls: insecure), which wins as
// any explicit setting does; a redirect target on another origin its own entry under registries:
// or certs.d (the client's redirectPools), else Node's roots and the machine's store.
import { readFileSync } from 'node:fs';
import type { Agent } from './http/undici.js';
import { certsDirFor, clientFacts, hostCerts, type CertsDir, type HostCerts } from './http/certs-d.js';
import { closePools, createPools, foreignPools, poolFor, type Pools } from './http/pool.js';
import { connectionsFor } from './http/limiter.js';
import { UsageError } from '../types/errors.js';
import { misplaced, type CertEntry } from './http/unreachable.js';
import type { HostOptions } from './host.js';

export class HostTrust {
  /** The host's own pools: 3 × concurrency connections (see limiter.ts). */
  private own: Pools;
  /** The pools of redirect targets with no trust of their own, when the host has CAs to lend them (see lent). */
  private lentPools: Pools | undefined;
  private readonly origins = new Set<string>();
  private certs: HostCerts | undefined;
  private certsDir: CertsDir;
  /** The certs.d directory and caFile as read for the pools (see reconnect). */
  private files: string;

  constructor(private readonly host: string, private readonly base: URL, private readonly options: HostOptions) {
    this.origins.add(base.origin);
    const tls = base.protocol === 'https:';
    this.certs = tls ? hostCerts(certsDirFor(base.host), base.host) : undefined;
    this.certsDir = this.dirOf(this.certs);
    this.own = this.poolsWith(this.certs);
    this.files = tls ? this.filesOf(this.certs) : '';
  }

  /**
   * The next requests go over new connections (the gateway's probes: their handshake judges the
   * certificate served now), and with the host's certs.d directory and caFile read again when they
   * changed: the gateway runs for weeks, and a client certificate renewed there, as the line about
   * an expired one says to do, or a rotated CA, was never used until a restart. Files caught
   * half-written (a certificate without its key yet) leave the pools as they were until next time.
   */
  reconnect(): void {
    let fresh: Pools | undefined;
    if (this.base.protocol === 'https:') {
      try {
        const certs = hostCerts(certsDirFor(this.base.host), this.base.host);
        const files = this.filesOf(certs);
        if (files !== this.files) {
          fresh = this.poolsWith(certs);
          [this.certs, this.certsDir, this.files] = [certs, this.dirOf(certs), files];
        }
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
      }
    }
    // A token realm that goes on pools of its own (its host's entry under registries:, or an https
    // realm of a plain-http host) is renewed too: its caFile, put right as its line says, was
    // never read again, and the backend stayed down until a restart (gateway3 hunt).
    for (const origin of this.origins) {
      const url = new URL(origin);
      if (!this.lends(url)) this.options.renewRedirectPools?.(url.host);
    }
    if (!fresh) {
      for (const pools of this.allPools()) pools.renew?.();
      return;
    }
    for (const old of this.allPools()) void closePools(old).catch(() => {});
    this.own = fresh;
    this.lentPools = undefined;
  }

  private poolsWith(certs: HostCerts | undefined): Pools {
    const { options } = this;
    return createPools(options.settings, connectionsFor(options.concurrency), { answerTimeoutMs: options.answerTimeoutMs, notice: options.proxyNotice, protocol: options.protocolNotice, certs, plainHttp: this.base.protocol !== 'https:', restartWaitMs: options.restartWaitMs });
  }

  private dirOf(certs: HostCerts | undefined): CertsDir {
    const client = certs?.client;
    const facts = client && clientFacts(client.cert);
    return { ...certsDirFor(this.base.host), ...(client ? { client: client.certFile } : {}), ...(facts ? { clientFacts: facts } : {}) };
  }

  private filesOf(certs: HostCerts | undefined): string {
    const caFile = this.options.settings?.caFile;
    let ca: string | undefined;
    try {
      ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
    } catch {
      ca = undefined;
    }
    return JSON.stringify([certs ?? null, ca ?? null]);
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
    return poolFor(this.lends(url) ? this.own : this.options.redirectPools?.(url) ?? this.lent(), bulky);
  }

  /**
   * Whose entry a refused certificate at `url` is. A redirect target's is its own, and so is the
   * entry that fixes it; a token realm on another origin shares the host's entry, but its
   * certificate is its own.
   */
  certFor(url: URL): CertEntry {
    const { host, base, options } = this;
    if (this.lends(url)) return { host, caFile: options.settings?.caFile !== undefined, certsDir: this.certsDir, ...(url.origin !== base.origin ? { realm: url.origin } : this.plainEndpoint()) };
    if (this.origins.has(url.origin)) return { host, caFile: false, realm: url.origin, realmOwn: this.realmEntry(url) ? 'entry' : 'plain', certsDir: certsDirFor(url.host) };
    return { host: url.host, caFile: false, ...misplaced(url, base) };
  }

  /** The http:// endpoint the host is reached by, and where it is set, for a TLS port's refusal (https-only.ts). */
  private plainEndpoint(): Pick<CertEntry, 'plainEndpoint'> {
    const { host, base, options } = this;
    const given = options.endpoint ?? options.settings?.endpoint;
    if (!given || base.protocol !== 'http:') return {};
    return { plainEndpoint: `${base.origin}${base.pathname.replace(/\/+$/, '')} ${options.endpoint ? '(--endpoint)' : `under registries: ${host}`}` };
  }

  /** Every pool of the host: its own and those it lent its CAs to (closed with the client). */
  allPools(): Pools[] {
    return this.lentPools ? [this.own, this.lentPools] : [this.own];
  }

  /**
   * Whether a request to `url` goes with the host's TLS settings: its own origin, or its token
   * realm, unless that is https for a plain-http host, which has no TLS settings to lend it (its
   * pools skip the store): such a realm was 'not trusted' with its CA in SSL_CERT_FILE or
   * certs.d, where skopeo got a token; it is trusted as its own host, as a redirect target is.
   */
  private lends(url: URL): boolean {
    // Asked for every request (poolFor): URL's origin getter builds a new string each time, so once.
    const origin = url.origin;
    return this.origins.has(origin) && !this.realmEntry(url, origin) && (this.base.protocol === 'https:' || url.protocol === 'http:');
  }

  /**
   * Whether `url` is a token realm on another host whose own entry under registries: says how to
   * trust it (tokens4 hunt): it was ignored for a TLS registry, whose trust the realm borrowed, and
   * its certificate said 'not trusted' with the realm's CA given as caFile right there.
   */
  private realmEntry(url: URL, origin = url.origin): boolean {
    return origin !== this.base.origin && url.protocol === 'https:' && this.options.ownEntry?.(url.host) === true;
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
