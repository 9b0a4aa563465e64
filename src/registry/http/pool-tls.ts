// The TLS side of a host's connections: verification skipped, caFile's and certs.d's CAs beside
// Node's and the system's, a client certificate presented. Apart from the pools (pool.ts), which
// build it once per host.
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { RegistrySettings } from '../../config/model.js';
import { UsageError } from '../../types/errors.js';
import type { HostCerts } from './certs-d.js';
import { storeContext, trustedRoots } from './trust-store.js';

/** How a pool's connections are opened (undici's `connect`). */
export type ConnectOptions = { rejectUnauthorized?: boolean; secureContext?: SecureContext; timeout?: number };

/** Sets `connect`'s TLS verification and context from the host's settings and certs.d directory. */
export function applyTlsSettings(connect: ConnectOptions, settings: RegistrySettings | undefined, certs: HostCerts | undefined, plainHttp: boolean): void {
  if (settings?.tls === 'insecure') connect.rejectUnauthorized = false;
  if (settings?.caFile || certs) {
    const extra = [...(certs?.ca ?? [])];
    if (settings?.caFile) {
      try {
        extra.push(readFileSync(settings.caFile, 'utf8'));
      } catch (e) {
        throw new UsageError(`caFile for ${settings.host}: cannot read ${settings.caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    // One context for every connection: built from `ca` per connection, parsing Node's ~140 roots
    // cost ~20 ms of CPU each time (a run opens dozens, a flaky network hundreds).
    // An intermediate CA alone in the file is an anchor too (allowPartialTrustChain), as with
    // curl --cacert and skopeo's cert-dir: a private CA's operators often hand out just that.
    // `ca` replaces Node's store, which NODE_EXTRA_CA_CERTS had added to: keep those, and the
    // system store's (trust-store.ts), too (caFile is an extra CA, as a skopeo cert dir adds to the
    // system roots).
    const client = certs?.client ? { cert: certs.client.cert, key: certs.client.key } : {};
    try {
      connect.secureContext = createSecureContext({ ca: [...trustedRoots(), ...extra], allowPartialTrustChain: true, ...client });
    } catch (e) {
      // A client key that is not the certificate's, or a file that is no PEM at all.
      if (!certs?.client) throw e;
      throw new UsageError(`certs.d for ${certs.host}: the client certificate ${certs.client.certFile} and its key do not make a pair (${(e as Error).message}): put that certificate's own key beside it, or remove both`);
    }
  } else if (!plainHttp) {
    // Not for a host reached over plain http: ~40 ms of CPU for a context no connection uses.
    const store = storeContext();
    if (store) connect.secureContext = store;
  }
}
