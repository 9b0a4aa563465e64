// Where skopeo must connect for a logical registry host, and whether it may verify TLS there.
// skopeo has no endpoint override, so an endpoint (settings.endpoint or --endpoint) becomes the
// host skopeo is given; credentials stay keyed by the logical host (see skopeo-auth.ts).
import type { RegistrySettings } from '../config/model.js';
import { baseUrlFor } from '../registry/http/scheme.js';
import { UsageError } from '../types/errors.js';
import { certsDirFor } from '../registry/http/certs-d.js';

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
  /** The certs.d directory the native client reads for `host` (certs-d.ts), over HTTPS only. */
  certsDir?: string;
}

/** Resolves `host` against its settings and an endpoint override, exactly as the native client does. */
export function skopeoAddress(host: string, settings?: RegistrySettings, endpointOverride?: string): SkopeoAddress {
  const url = baseUrlFor(host, settings, endpointOverride);
  if ((endpointOverride ?? settings?.endpoint) && url.pathname.replace(/\/+$/, '') !== '') {
    throw new UsageError(`endpoint for ${host} has a path ("${url.href}"); engine: skopeo can only use an endpoint at a host's root`);
  }
  // http is plain whatever the settings say; https still honours `tls: insecure`, and only it, as
  // the native client does: an https:// endpoint of a loopback host (whose default is `disabled`)
  // was copied with --tls-verify=false there, verified by the native client (newuser hunt).
  const tlsVerify = url.protocol === 'https:' && settings?.tls !== 'insecure';
  const address: SkopeoAddress = { logicalHost: host, host: url.host, tlsVerify };
  const certsDir = url.protocol === 'https:' ? certsDirFor(url.host).found : undefined;
  if (certsDir) address.certsDir = certsDir;
  return settings?.caFile && tlsVerify ? { ...address, caFile: settings.caFile } : address;
}
