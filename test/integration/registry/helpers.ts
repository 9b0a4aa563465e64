// A RegistryClient aimed at one test registry, with fast retries.
import { RegistryClient } from '../../../src/registry/client.js';
import type { RegistryClientOptions } from '../../../src/registry/client-options.js';
import type { Credential } from '../../../src/registry/credentials.js';
import type { RunningRegistry } from '../../harness/registry.js';

/** A client for `reg` with the given credential (none = anonymous) and test knobs. */
export function testClient(reg: RunningRegistry, credential?: Credential, extra: Partial<RegistryClientOptions> & { maxAttempts?: number } = {}): RegistryClient {
  const { maxAttempts = 2, ...rest } = extra;
  return new RegistryClient({
    // A TLS test registry is trusted through its CA, as a mirrors.yaml caFile would.
    registries: new Map([[reg.host, reg.caFile ? { host: reg.host, tls: 'verify', caFile: reg.caFile, maxAttempts } : { host: reg.host, tls: 'disabled', maxAttempts }]]),
    credentials: async () => credential,
    ...rest,
    testing: { backoffBaseMs: 1, ...rest.testing },
  });
}

/** The admin's basic credential. */
export function admin(reg: RunningRegistry): Credential {
  return { username: 'admin', password: reg.users.admin! };
}
