// What the skopeo engine takes from the run, shared by the engine (skopeo.ts), its runs
// (skopeo-run.ts) and its re-runs (skopeo-reruns.ts) so that none of them imports another for it.
import type { RegistrySettings } from '../config/model.js';
import type { CredentialProvider } from '../registry/credentials.js';
import type { Logger } from '../ui/log.js';

/** What the engine needs from the run: host settings, --endpoint overrides and credentials. */
export interface SkopeoEngineOptions {
  registries?: Map<string, RegistrySettings>;
  endpoints?: Map<string, string>;
  credentials: CredentialProvider;
  logger?: Logger;
  /** The skopeo executable (default `skopeo`, found on PATH). */
  binary?: string;
  /** First backoff between re-runs of a failed copy, in ms (default 500; full jitter, doubling, ≤ 10 s). */
  backoffBaseMs?: number;
  /** How long a skopeo run may move no byte before it is stopped and run again (skopeo-stillness.ts; default 300 s). */
  stillnessMs?: number;
}
