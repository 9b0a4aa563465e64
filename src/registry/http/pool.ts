// Keep-alive connection pools per registry (undici Agent: one Pool per origin), with the
// registry's TLS settings: `insecure` skips verification, caFile adds a CA to Node's roots.
// HTTP/2 is offered by ALPN over TLS (HTTP/1.1 stays the fallback) unless `http2: false`.
// Each origin connects direct or through the proxy the environment names for it (proxy.ts).
// The limits its requests are held to are in pool-limits.ts; its TLS settings are set by pool-tls.ts.
import { Agent } from './undici.js';
import type { RegistrySettings } from '../../config/model.js';
import { routedFactory, type ProxyNotice } from './proxy.js';
import { H1_PIPELINING } from './pipelining.js';
import type { ProtocolNotice } from './alpn.js';
import type { HostCerts } from './certs-d.js';
import { ANSWER_TIMEOUT_MS, CONNECT_TIMEOUT_MS, H2_WINDOWS } from './pool-limits.js';
import { applyTlsSettings, type ConnectOptions } from './pool-tls.js';

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

/** The pool a request goes on: `bulky` for a large body or a blob transfer over HTTP/1.1 (send.ts), else `any`. */
export function poolFor(pools: Pools, bulky: boolean): Agent {
  return bulky ? pools.bulky : pools.any;
}

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
  const connect: ConnectOptions = {};
  // undici gives a connection 10 s to open (TCP and TLS), and a request cancelled while it waits
  // for one ends only then: the gateway's --timeout of a few seconds held each client 10 s at a
  // backend that accepts TCP and never finishes TLS (outage hunt). No connect outlasts an answer.
  if (answerTimeoutMs < CONNECT_TIMEOUT_MS) connect.timeout = answerTimeoutMs;
  applyTlsSettings(connect, settings, certs, plainHttp);
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
