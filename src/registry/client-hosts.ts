// What each registry's HostContext is set up with from the client's options (client-options.ts):
// the defaults a run takes, and what every host shares with its client (counters, notices, redirect pools).
import { UsageError } from '../types/errors.js';
import { silentLogger } from '../ui/log.js';
import type { RegistryClientOptions } from './client-options.js';
import type { RedirectPools } from './client-redirects.js';
import type { HostOptions } from './host.js';
import { PROXY_DOWN_MS } from './http/tls-errors.js';
import { VERSION } from '../version.js';

/** What a client's hosts share with it: its credentials, counters and -v notices, and the pools for redirect targets. */
export type SharedWithHosts = Pick<HostOptions, 'credentials' | 'stats' | 'unanswered' | 'proxyNotice' | 'protocolNotice'> & { redirects: RedirectPools };

/** The HostContext options for `registry`; a concurrency that is not a positive integer is a UsageError. */
export function hostOptions(registry: string, opts: RegistryClientOptions, shared: SharedWithHosts): HostOptions {
  const settings = opts.registries?.get(registry);
  const concurrency = settings?.concurrency ?? opts.defaultConcurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency for ${registry} must be a positive integer`);
  return {
    settings,
    endpoint: opts.endpoints?.get(registry),
    credentials: shared.credentials,
    concurrency,
    logger: opts.logger ?? silentLogger,
    userAgent: opts.userAgent ?? `regmirror/${VERSION}`,
    stats: shared.stats,
    unanswered: shared.unanswered,
    backoffBaseMs: opts.testing?.backoffBaseMs ?? 250,
    // quay.io refuses pages over 100 (and most registries cap there): ask for what all accept.
    tagPageSize: opts.testing?.tagPageSize ?? 100,
    chunkBytes: opts.testing?.chunkBytes ?? 8 * 1024 * 1024,
    forceChunkedUploads: opts.testing?.forceChunkedUploads ?? false,
    answerTimeoutMs: opts.answerTimeoutMs ?? opts.testing?.answerTimeoutMs,
    deniedTtlMs: opts.deniedTtlMs,
    verdictTtlMs: opts.verdictTtlMs,
    onRefused: opts.onRefused,
    pace: opts.pace,
    restartWaitMs: opts.restartWaitMs ?? PROXY_DOWN_MS,
    redirectPools: (url) => shared.redirects.poolsFor(url),
    renewRedirectPools: (other) => shared.redirects.renew(other),
    ownEntry: (other) => {
      const entry = opts.registries?.get(other);
      return entry?.caFile !== undefined || entry?.tls === 'insecure';
    },
    proxyNotice: shared.proxyNotice,
    protocolNotice: shared.protocolNotice,
  };
}
