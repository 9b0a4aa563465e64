// `regmirror serve`: the gateway's lifetime. Listen with limits (header size, timeouts, no
// bodies), probe the backends, answer until the signal, then stop as shutdown.ts says (serving
// on for gateway.shutdownDelay, then letting in-flight requests finish), flush the events and
// close the backends' connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewaySettings, RegistrySettings } from '../config/model.js';
import type { LockFile } from '../lock/file.js';
import { RegistryClient } from '../registry/client.js';
import type { CredentialProvider } from '../registry/credentials.js';
import type { Logger } from '../ui/log.js';
import { isLoopback } from '../types/host.js';
import { TlsError, UsageError } from '../types/errors.js';
import { openEventSink } from './events.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_TAG_TTL_MS, Gateway, type GatewayOptions } from './gateway.js';
import { failingOver } from './backend-failures.js';
import { handle } from './handler.js';
import { startProbes } from './health.js';
import { stopServing } from './shutdown.js';

/** What `serve` needs besides the config's gateway section. */
export interface ServeOptions extends GatewayOptions {
  registries: Map<string, RegistrySettings>;
  endpoints: Map<string, string>;
  credentials: CredentialProvider;
  lock: LockFile;
  logger: Logger;
  userAgent: string;
  /** Aborted to stop, its reason the signal's name: 'SIGINT' (a person at a terminal) skips gateway.shutdownDelay. */
  signal: AbortSignal;
  /** A client connection that takes or sends nothing for this long is closed, ms (default 60 s; 0 = never). */
  clientTimeoutMs?: number;
  /** Told the address once listening. */
  onListening(url: string): void;
}

const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;

/**
 * One attempt per backend request: the gateway fails over to the next backend instead of
 * retrying (a retry with Retry-After could hold a client for a minute).
 */
export function gatewayRegistries(settings: GatewaySettings, registries: Map<string, RegistrySettings>): Map<string, RegistrySettings> {
  const out = new Map(registries);
  for (const host of backendHosts(settings)) {
    const s = out.get(host) ?? { host, tls: isLoopback(host) ? 'disabled' as const : 'verify' as const };
    out.set(host, { ...s, maxAttempts: 1, concurrency: Math.max(s.concurrency ?? 0, 64) });
  }
  return out;
}

/** The registries the gateway's backends are on. */
function backendHosts(settings: GatewaySettings): Set<string> {
  return new Set([...settings.images.flatMap((i) => i.backends), ...settings.binaries.flatMap((b) => b.backends)].flatMap((r) => (r.scheme === 'registry' ? [r.registry] : [])));
}

/** Runs the gateway until `opts.signal`; resolves once everything in flight is done. */
export async function runServe(settings: GatewaySettings, opts: ServeOptions): Promise<void> {
  const client = new RegistryClient({
    registries: gatewayRegistries(settings, opts.registries), endpoints: opts.endpoints, credentials: opts.credentials,
    logger: opts.logger, userAgent: opts.userAgent,
    // A repository a backend refused (quay.io's 401 for one it lacks) is believed absent as long
    // as a tag's digest is believed: a sync that puts it there is seen as soon as a moved tag is.
    deniedTtlMs: opts.tagTtlMs ?? DEFAULT_TAG_TTL_MS,
    // So is a backend's refused certificate (or a proxy's refusal): one renewed at 3 a.m., or a
    // proxy that now lets it through, is used again without a restart (a run believes it for good).
    verdictTtlMs: opts.tagTtlMs ?? DEFAULT_TAG_TTL_MS,
    // Said as what the gateway does about it, like its other backend lines: a run's `error:` line
    // read as if the gateway had failed, where it serves from the next backend.
    onRefused: (e) => (e instanceof TlsError ? opts.logger.warn(`backend ${e.message}; ${failingOver(settings.healthInterval)}`) : opts.logger.error(e.message)),
    // A 429 opens that backend's breaker for an interval: pacing it too made every request wait
    // out a Retry-After (each then lost to the deadline) or crawl at a request a second.
    pace: false,
    // A backend that stopped taking connections fails over to the next at once: a run waits for
    // its restart (restart-wait.ts), a client of the gateway would wait as long.
    restartWaitMs: 0,
    // A body that stops for --timeout is a backend that stopped answering: its stream breaks and
    // goes on from the next backend with Range (blobs.ts), rather than after the transport's 60 s.
    answerTimeoutMs: opts.deadlineMs ?? DEFAULT_DEADLINE_MS,
  });
  client.prepare(backendHosts(settings));
  // Requests in flight at SIGTERM finish; their backend calls end only after the server closed.
  const backendsStop = new AbortController();
  const gw = new Gateway(settings, client, opts.lock, openEventSink(settings.events), backendsStop.signal, opts);
  gw.log = (line) => opts.logger.warn(line);
  // Requests being answered: each records its event when it ends, so the events file is closed
  // only after them (one cut off at the end of the grace period wrote after it: exit 1).
  const inFlight = new Set<Promise<void>>();
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 60_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const done = handle(gw, req, res).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  // A client that stops reading a streamed blob held its download, and the backend connection and
  // slot behind it, for as long as it liked: 130 of them made other clients' blobs wait out the
  // deadline and fail over from a healthy backend (hostile hunt). Node closes a socket that has
  // moved no bytes either way for this long; a client that reads slowly keeps moving them.
  server.setTimeout(opts.clientTimeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS);
  await listen(server, settings.listen.host, settings.listen.port);
  const { address, port } = server.address() as AddressInfo;
  opts.onListening(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  const probes = startProbes(gw, opts.signal);
  await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
  const by = typeof opts.signal.reason === 'string' ? opts.signal.reason : 'stop';
  await Promise.all([
    stopServing(server, gw, inFlight, {
      by, delayMs: by === 'SIGINT' ? 0 : settings.shutdownDelay * 1000, logger: opts.logger,
      stopBackends: () => backendsStop.abort(new Error('shutdown')),
    }),
    probes,
  ]);
  backendsStop.abort(new Error('shutdown'));
  await Promise.allSettled(inFlight);
  await gw.close();
  await client.close();
}

// Why a listen failed, as what to do: a busy port (another gateway still running) was
// `listen EADDRINUSE …` and exit 1, which SPEC does not give serve; it is the address the user
// chose, so exit 2 with the line (gateway3 hunt).
const LISTEN_ADVICE: Record<string, string> = {
  EADDRINUSE: 'the port is in use by another program (another gateway still running?): stop it, or choose another port with gateway.listen or --listen',
  EACCES: 'the port needs privileges this process lacks (ports below 1024 do): choose a port above 1024 with gateway.listen or --listen',
  EADDRNOTAVAIL: 'the host is not an address of this machine: listen on one of its addresses, or 0.0.0.0 for all of them',
};

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      const advice = LISTEN_ADVICE[e.code ?? ''] ?? `${e.code ?? e.message}: choose another address with gateway.listen or --listen`;
      // Written as the user writes it: Node's "::1:5000" reads as if the port were part of the address.
      reject(new UsageError(`cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${advice}`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
