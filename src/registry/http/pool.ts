// Keep-alive connection pools per registry (undici Agent: one Pool per origin), with the
// registry's TLS settings: `insecure` skips verification, caFile adds a CA to Node's roots.
// HTTP/2 is offered by ALPN over TLS (HTTP/1.1 stays the fallback) unless `http2: false`.
// Each origin connects direct or through the proxy the environment names for it (proxy.ts).
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import { Agent } from './undici.js';
import type { RegistrySettings } from '../../config/model.js';
import { UsageError } from '../../types/errors.js';
import { routedFactory, type ProxyNotice } from './proxy.js';
import { H1_PIPELINING } from './pipelining.js';
import type { ProtocolNotice } from './alpn.js';
import type { HostCerts } from './certs-d.js';
import { storeContext, trustedRoots } from './trust-store.js';

/**
 * The largest request body sent over HTTP/2: one stream's initial flow-control window, so the
 * body leaves in one go. A body that is a stream, or larger, can still be queued when its request
 * is aborted (a source read that failed mid-upload, a timeout), and undici's HTTP/2 on Node 20 then
 * either spins forever sending empty DATA frames for the destroyed stream (measured: 14 GB of
 * memory in a minute, then std::bad_alloc) or throws ERR_HTTP2_STREAM_ERROR where nothing can
 * catch it. Such uploads go over HTTP/1.1 connections to the same registry instead.
 */
export const HTTP2_BODY_MAX = 64 * 1024;

/**
 * How long a request may wait for its answer's headers, and an answer between two chunks of its
 * body: a registry that accepted the connection and went silent fails the attempt after a minute
 * (retried like a reset), where undici's default waits five. Uploads keep five minutes for their
 * headers: a registry may take that long to finish a large blob after its last byte.
 */
export const ANSWER_TIMEOUT_MS = 60_000;
const UPLOAD_ANSWER_TIMEOUT_MS = 300_000;

/** The headers timeout of one request, when not the pool's: five minutes for a bulky upload. */
export function headersTimeoutFor(bulky: boolean): number | undefined {
  return bulky ? UPLOAD_ANSWER_TIMEOUT_MS : undefined;
}

/**
 * A registry's pools: `any` for small requests (HTTP/2 where offered, pipelined: pipelining.ts),
 * `bulky` for large bodies and, over HTTP/1.1, blob transfers (one request at a time).
 */
export interface Pools {
  any: Agent;
  bulky: Agent;
  /**
   * Puts a fresh `any` pool in place of the one an HTTP/2 GOAWAY ended a connection of (send.ts),
   * the old one closing once its requests are done: undici 7 opens a new connection for every
   * request of that origin from then on (nginx keepalive_requests 5: 1 request on each of 35
   * connections after the first). The gateway's probes renew it too (RegistryClient.reconnect).
   */
  renew?: () => void;
}

/** A request body's length in bytes (0 for none), or undefined for a stream or an iterable, whose length is not known up front. */
export function bodyBytes(body: Dispatcher.DispatchOptions['body']): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/** Whether a request body must stay off HTTP/2 (see HTTP2_BODY_MAX). */
export function isBulky(body: Dispatcher.DispatchOptions['body']): boolean {
  const bytes = bodyBytes(body);
  return bytes === undefined || bytes > HTTP2_BODY_MAX;
}

/** The pool a request goes on: `bulky` for a large body or a blob transfer over HTTP/1.1 (send.ts), else `any`. */
export function poolFor(pools: Pools, bulky: boolean): Agent {
  return bulky ? pools.bulky : pools.any;
}

/** undici's own connect timeout (its `connect.timeout` default). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** How a host's pools connect and listen, besides its settings. */
export interface PoolOptions {
  answerTimeoutMs?: number;
  /** Hears of each origin reached through a proxy. */
  notice?: ProxyNotice;
  /** Hears of the HTTP version the `any` pool's TLS connections settled on (the bulky pool's are HTTP/1.1 by design). */
  protocol?: ProtocolNotice;
  /** What the host's certs.d directory gives (certs-d.ts): its CAs beside caFile's, its client certificate presented. */
  certs?: HostCerts;
  /**
   * The host is reached over http://: no context of the system store is built (a token realm of
   * its over https goes on the redirect targets' pools: host.ts).
   */
  plainHttp?: boolean;
  /**
   * How long a connection refused or reset by the registry, after it took others of this run, waits
   * for it to take connections again (restart-wait.ts: a restart); 0, the default, fails at once.
   */
  restartWaitMs?: number;
}

/** The connection pools for one registry host; `connections` is per origin and per pool. */
export function createPools(settings: RegistrySettings | undefined, connections: number, opts: PoolOptions = {}): Pools {
  const { answerTimeoutMs = ANSWER_TIMEOUT_MS, notice, protocol, certs, plainHttp = false, restartWaitMs = 0 } = opts;
  const connect: { rejectUnauthorized?: boolean; secureContext?: SecureContext; timeout?: number } = {};
  // undici gives a connection 10 s to open (TCP and TLS), and a request cancelled while it waits
  // for one ends only then: the gateway's --timeout of a few seconds held each client 10 s at a
  // backend that accepts TCP and never finishes TLS (outage hunt). No connect outlasts an answer.
  if (answerTimeoutMs < CONNECT_TIMEOUT_MS) connect.timeout = answerTimeoutMs;
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
  const options = { connections, keepAliveTimeout: 30_000, connect, headersTimeout: answerTimeoutMs, bodyTimeout: answerTimeoutMs, factory: routedFactory(notice, undefined, undefined, restartWaitMs) };
  // The small requests' connections pipeline (pipelining.ts); the transfers' carry one at a time.
  const heard = { ...options, factory: routedFactory(notice, undefined, protocol, restartWaitMs, settings?.pipelining === false ? 1 : H1_PIPELINING) };
  if (settings?.http2 === false) {
    // Renewed together.
    const both = () => ({ any: new Agent({ ...heard, allowH2: false }), bulky: new Agent({ ...options, allowH2: false }) });
    const pools: Pools = {
      ...both(),
      renew: () => {
        const old = [pools.any, pools.bulky];
        Object.assign(pools, both());
        for (const agent of old) agent.close().catch(() => {});
      },
    };
    return pools;
  }
  const h2 = () => new Agent({ ...heard, allowH2: true, ...H2_WINDOWS });
  const pools: Pools = {
    any: h2(),
    bulky: new Agent({ ...options, allowH2: false }),
    renew: () => {
      const old = pools.any;
      pools.any = h2();
      old.close().catch(() => {});
    },
  };
  return pools;
}

/**
 * HTTP/2 flow-control windows: how much a registry may send before regmirror says it read it. A
 * stream carries about half its window per round trip (the update goes out at half), and all of a
 * connection's streams together the connection's: with undici's defaults (256 KiB, 512 KiB) one
 * 100 MiB layer from a TLS registry 20 ms away took 18.0 s over HTTP/2 against 1.66 s over
 * HTTP/1.1, whose TCP windows grow (bench/http2.mjs, BENCH_DELAY_MS=20); 4 MiB a stream (Go's,
 * skopeo's) 2.76 s, 8 MiB 2.01 s. A reader that is behind stops its stream's window, so a paused
 * download holds at most 8 MiB, and a connection's paused downloads together 32 MiB.
 */
const H2_WINDOWS = { initialWindowSize: 8 * 1024 * 1024, connectionWindowSize: 32 * 1024 * 1024 };

/** How much a registry may send on one HTTP/2 stream before regmirror reads it (tail-flowing.ts). */
export const H2_STREAM_WINDOW = H2_WINDOWS.initialWindowSize;

/** Closes both pools (once when they are one). */
export async function closePools(pools: Pools): Promise<void> {
  await Promise.all(pools.any === pools.bulky ? [pools.any.close()] : [pools.any.close(), pools.bulky.close()]);
}

/**
 * Ends both pools at once, failing what they still hold: a request waiting for a connection is
 * deaf to its abort signal until undici's connect timeout (10 s), so an interrupted run that had
 * asked a black-holed host said nothing for that long (cli/session.ts).
 */
export function destroyPools(pools: Pools): void {
  const ignore = () => {};
  for (const agent of new Set([pools.any, pools.bulky])) agent.destroy().catch(ignore);
}

let foreign: Pools | undefined;

/** Ends the redirect targets' pools (destroyPools); a later redirect opens new ones. */
export function destroyForeignPools(): void {
  if (foreign) destroyPools(foreign);
  foreign = undefined;
}

/** The verifying pools for redirect targets on other origins (CDNs, object stores). */
export function foreignPools(): Pools {
  foreign ??= createPools(undefined, 16);
  return foreign;
}
