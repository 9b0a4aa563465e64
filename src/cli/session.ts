// Everything a command needs for one run, built in one place: config, logger, the registry
// client and stores, the abort signal for SIGINT/SIGTERM/SIGHUP, and the output sink.
import { setMaxListeners } from 'node:events';
import { VERSION } from '../version.js';
import { isLoopback } from '../types/host.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/model.js';
import { checkFilters, imageWork, type ImageWork } from '../config/workitems.js';
import { insecureBesideCaFile } from '../config/registries.js';
import { RegistryClient } from '../registry/client.js';
import { describeStats } from '../registry/http/send-context.js';
import { credentialsFor, missingCredentialEnv, type CredentialProvider } from '../registry/credentials.js';
import { Stores } from '../stores/open.js';
import { ConfigError } from '../types/errors.js';
import type { NamespaceRef } from '../types/reference.js';
import { createLogger, levelOf } from '../ui/log.js';
import { parseEndpoints, unusedTlsWarnings, type CommonFlags } from './common.js';
import { refuseBrokenCredentials } from './credential-values.js';

export type Log = ReturnType<typeof createLogger>;

/** The signals that stop a run: nothing new starts, what was done is reported, temp files go. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The process-wide pieces of one command run. */
export interface Session {
  config: Config;
  work: ImageWork[];
  log: Log;
  client: RegistryClient;
  stores: Stores;
  /** The same credential source the client uses (for the skopeo engine). */
  credentials: CredentialProvider;
  endpoints: Map<string, string>;
  signal: AbortSignal;
  /** True once SIGINT/SIGTERM/SIGHUP arrived. */
  interrupted(): boolean;
  close(): Promise<void>;
}

// A variable set to nothing is what CI gives for a secret that does not exist (GitHub Actions'
// `${{ secrets.X }}`): "not set" sent users to an env block where it plainly was.
const EMPTY_WHY = ' (set to nothing: in CI, a secret that does not exist, or is not given to this job, reads so)';

/**
 * Loads the config and checks credentials before any request: an unset variable for a registry
 * this command writes to is fatal (exit 2); for one only read from, a warning.
 */
export async function openSession(flags: CommonFlags, writes: (config: Config, work: ImageWork[]) => NamespaceRef[]): Promise<Session> {
  const log = createLogger(levelOf(flags));
  const config = await loadConfig(flags.config);
  const endpoints = parseEndpoints(flags.endpoint);
  checkFilters(config, flags.filter);
  const work = imageWork(config, flags.filter);
  const writeTargets = writes(config, work);
  const written = new Set(writeTargets.flatMap((ns) => (ns.scheme === 'registry' ? [ns.registry] : [])));
  const unset = missingCredentialEnv(config.registries);
  // The fatal case first, so its FILE:LINE:COL line is the only thing printed.
  for (const { host, variable } of unset.filter((u) => written.has(u.host))) {
    const pos = config.registries.get(host)?.position ?? { line: 1, col: 1 };
    throw new ConfigError(config.file, pos.line, pos.col, `environment variable ${variable} (credentials for ${host}) ${process.env[variable] === undefined ? 'is not set' : `is empty${EMPTY_WHY}`}, and this command writes to ${host}`);
  }
  refuseBrokenCredentials(config);
  // A credentials entry names two variables, often both unset: one line for the host, not one each.
  const unsetAt = new Map<string, string[]>();
  for (const { host, variable } of unset) unsetAt.set(host, [...(unsetAt.get(host) ?? []), variable]);
  for (const [host, vars] of unsetAt) {
    const names = vars.length === 1 ? `${vars[0]} is` : `${vars.slice(0, -1).join(', ')} and ${vars[vars.length - 1]} are`;
    const empty = vars.filter((v) => process.env[v] !== undefined).length;
    const state = empty === 0 ? 'not set' : empty === vars.length ? `empty${EMPTY_WHY}` : 'not set or empty';
    log.warnOnce(`env:${host}`, `${names} ${state}; reading ${host} with Docker's credentials or anonymously`);
  }
  for (const [host, s] of config.registries) {
    // Beside a caFile, the line of insecureBesideCaFile below says it, with what that does to the CA.
    if (s.tls === 'insecure' && s.caFile === undefined) log.warnOnce(`tls:${host}`, `${host}: TLS certificate verification is off (tls: insecure)`);
    else if (s.tls === 'disabled' && !isLoopback(host)) log.warnOnce(`tls:${host}`, `${host}: plain HTTP, no TLS (tls: disabled)`);
  }
  for (const line of unusedTlsWarnings(config, endpoints)) log.warnOnce(line, line);
  for (const line of insecureBesideCaFile(config)) log.warnOnce(line, line);
  const credentials = credentialsFor(config.registries, { logger: log });
  const client = new RegistryClient({ registries: config.registries, endpoints, credentials, logger: log, userAgent: `regmirror/${VERSION}` });
  const controller = new AbortController();
  // Every request of the run listens on this one signal.
  setMaxListeners(0, controller.signal);
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    // Only a command that writes has tags to hold back (verify, plan and --dry-run write nothing).
    const held = writeTargets.length > 0 ? ' and no tag is written for a partly copied image' : '';
    log.warn(`${signal}: stopping — nothing new starts${held} (${signal} again to quit at once)`);
    controller.abort(new Error(`interrupted by ${signal}`));
    client.interrupt();
  };
  // SIGHUP (the terminal or SSH session closed) stops the run as SIGTERM does: by default it ends
  // Node at once, without its exit hooks, leaving engine: skopeo's auth files in the temp dir.
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    config,
    work,
    log,
    client,
    stores: new Stores(client),
    credentials,
    endpoints,
    signal: controller.signal,
    interrupted: () => interrupts > 0,
    async close() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      if (log.verbose) log.debug(describeStats(client.stats));
      await client.close();
    },
  };
}
