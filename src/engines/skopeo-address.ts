// Where skopeo must connect for a logical registry host, and whether it may verify TLS there.
// skopeo has no endpoint override, so an endpoint (settings.endpoint or --endpoint) becomes the
// host skopeo is given; credentials stay keyed by the logical host (see skopeo-auth.ts).
import type { RegistrySettings } from '../config/model.js';
import { isLoopback } from '../registry/http/scheme.js';
import { UsageError } from '../types/errors.js';

/** How skopeo reaches one registry: the `host[:port]` to write in `docker://`, and TLS. */
export interface SkopeoAddress {
  /** The host as configured (quay.io): the key for credentials and settings. */
  logicalHost: string;
  /** The host skopeo connects to (the endpoint's host:port when one is set). */
  host: string;
  /** false → `--*-tls-verify=false` (plain HTTP or TLS without verification). */
  tlsVerify: boolean;
  /** Extra CA (absolute path) to trust, only meaningful when tlsVerify. */
  caFile?: string;
}

/** Resolves `host` against its settings and an endpoint override, as the native client does. */
export function skopeoAddress(host: string, settings?: RegistrySettings, endpointOverride?: string): SkopeoAddress {
  const endpoint = endpointOverride ?? settings?.endpoint;
  const caFile = settings?.caFile;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`endpoint for ${host} is not a URL: "${endpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`endpoint for ${host} must be http(s): "${endpoint}"`);
    if (url.pathname.replace(/\/+$/, '') !== '') {
      throw new UsageError(`endpoint for ${host} has a path ("${endpoint}"); engine: skopeo can only use an endpoint at a host's root`);
    }
    // An https endpoint still honours `tls: insecure`; http is plain whatever the settings say.
    const tlsVerify = url.protocol === 'https:' && settings?.tls !== 'insecure' && settings?.tls !== 'disabled';
    return withCa({ logicalHost: host, host: url.host, tlsVerify }, caFile);
  }
  const tls = settings?.tls;
  const tlsVerify = !(tls === 'disabled' || tls === 'insecure' || isLoopback(host));
  return withCa({ logicalHost: host, host, tlsVerify }, caFile);
}

function withCa(address: SkopeoAddress, caFile: string | undefined): SkopeoAddress {
  return caFile && address.tlsVerify ? { ...address, caFile } : address;
}
