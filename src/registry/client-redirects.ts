// Pools for the origins a registry redirects blobs to (a CDN, an object store) that mirrors.yaml or
// a certs.d directory says how to trust: one client's, kept apart from its registries' own (client.ts).
import type { RegistrySettings } from '../config/model.js';
import { CertsDirError, UsageError } from '../types/errors.js';
import { certsDirFor, hostCerts } from './http/certs-d.js';
import { closePools, createPools, type Pools } from './http/pool.js';
import type { ProxyNotice } from './http/proxy.js';
import type { ProtocolNotice } from './http/alpn.js';

/** The pools a client made for redirect targets, by host; a host's are dropped to read its TLS files again. */
export class RedirectPools {
  /** Pools for redirect targets that mirrors.yaml lists or certs.d holds, by host; undefined: the foreign pools (see poolsFor). */
  private readonly pools = new Map<string, Pools | undefined>();

  constructor(
    private readonly opts: { registries?: Map<string, RegistrySettings> },
    private readonly proxyNotice: ProxyNotice,
    private readonly protocolNotice: ProtocolNotice,
  ) {}

  // A redirect to an https:// origin whose host has an entry under registries:, or a certs.d
  // directory, trusts what they say (its caFile, tls: insecure, the directory's CAs and client
  // certificate), as a request to that registry itself would; others share the foreign pools.
  // A directory that cannot be used fails the redirect, said once per origin (tls-errors.ts
  // withTlsVerdicts), where it was a UsageError thrown mid-request, read again for each blob.
  poolsFor(url: URL): Pools | undefined {
    if (url.protocol !== 'https:') return undefined;
    if (this.pools.has(url.host)) return this.pools.get(url.host);
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
    this.pools.set(url.host, pools);
    return pools;
  }

  /** Drops the pools poolsFor made for `other`: the next redirect there makes new ones, its TLS files read again. */
  renew(other: string): void {
    const pools = this.pools.get(other);
    this.pools.delete(other);
    if (pools) void closePools(pools).catch(() => {});
  }

  /** Every pool made, which this forgets: a later redirect opens new ones. */
  take(): Pools[] {
    const pools = [...this.pools.values()].filter((p): p is Pools => p !== undefined);
    this.pools.clear();
    return pools;
  }
}
