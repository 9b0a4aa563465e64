// What a RegistryClient (client.ts) is told by the run or the gateway that makes it: its own module
// so that the client and the helpers that set up its hosts (client-hosts.ts) share it.
import type { RegistrySettings } from '../config/model.js';
import type { UnreachableError } from '../types/errors.js';
import type { Logger } from '../ui/log.js';
import type { CredentialProvider } from './credentials.js';

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
