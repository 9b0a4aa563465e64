// Connections through the forward proxy the environment names (proxy-env.ts): a CONNECT tunnel to
// the origin, then TLS with the origin's own settings (caFile, tls: insecure) and ALPN inside it,
// so HTTP/2 works through the tunnel as it does direct; plain http:// is forwarded instead. Written on undici's public buildConnector
// rather than with its ProxyAgent: ProxyAgent reports a refused CONNECT as RequestAbortedError
// with the status in its message text only, and a 407 had to become one line saying what to fix.
// This module routes each origin; the tunnel is proxy-tunnel.ts, forwarding proxy-forward.ts.
import { buildConnector, Pool, type Dispatcher } from 'undici';
import { registerSecret } from '../../ui/redact.js';
import { proxyEnv, proxyFor, proxyName, type ProxyEnv, type ProxyRoute } from './proxy-env.js';
import { namingLapsed } from './lapsed.js';
import { heard, type ProtocolNotice } from './alpn.js';
import { pipeliningClients, poolConnections, type Spoken } from './pipelining.js';
import { awaitingReturn } from './restart-wait.js';
import { forwarded } from './proxy-forward.js';
import { PASSING, proxyGone, proxyPeer, TUNNEL_TIMEOUT_MS } from './proxy-peer.js';
import { tunnel } from './proxy-tunnel.js';

let fromProcess: ProxyEnv | undefined;

/** The process's proxy settings, read once (a malformed HTTPS_PROXY is a UsageError here). */
export function processProxies(): ProxyEnv {
  if (!fromProcess) {
    fromProcess = proxyEnv(process.env);
    for (const route of [fromProcess.https, fromProcess.http]) if (route?.proxy.password) registerSecret(decodeURIComponent(route.proxy.password));
  }
  return fromProcess;
}

/** Called for each origin an Agent connects to while a proxy is named for its scheme: `direct` when NO_PROXY (or loopback) exempts it (the -v line). */
export type ProxyNotice = (origin: URL, route: ProxyRoute, direct: boolean) => void;

/**
 * An undici Agent `factory`: each origin's Pool connects direct, or through the proxy the
 * environment names for that origin (a registry, its token realm on another host, a CDN).
 */
export function routedFactory(notice?: ProxyNotice, env: ProxyEnv = processProxies(), protocol?: ProtocolNotice, restartWaitMs = 0, h1Pipelining?: number) {
  // The registry's own connections (direct or tunnelled) may pipeline (pipelining.ts); forwarded
  // plain http keeps one request at a time through the proxy, which may read them one by one.
  const spoken = new Map<string, Spoken>();
  return (origin: string | URL, opts: object): Dispatcher => {
    // A factory of its own for each Pool: it counts that Pool's connections. Whether the origin
    // spoke HTTP/2 outlives the Pool (an Agent renewed after a GOAWAY: pool.ts) and sizes the next.
    const given = opts as Pool.Options;
    const key = String(origin);
    let said = spoken.get(key);
    if (!said) spoken.set(key, (said = { h2: false }));
    const pool = h1Pipelining === undefined ? given : { ...given, connections: poolConnections(given.connections, given.allowH2 ?? false, said) };
    const options = (h1Pipelining === undefined ? pool : { ...pool, factory: pipeliningClients(h1Pipelining, pool.connections ?? Infinity, said) }) as Pool.Options;
    const url = new URL(origin);
    const route = proxyFor(url, env);
    const named = url.protocol === 'https:' ? env.https : env.http;
    if (named) notice?.(url, named, !route);
    const allowH2 = options.allowH2 ?? false;
    const tls = typeof options.connect === 'object' ? options.connect : {};
    if (!route) {
      // The connector undici would build from these options, built here to name a lapsed
      // certificate of a refused chain (lapsed.ts), hear the ALPN answer and wait out a restart
      // of the registry (restart-wait.ts) where the client asks for it (a run; not the gateway, which fails over).
      const built = url.protocol === 'https:' ? namingLapsed(buildConnector({ allowH2, ...tls })) : buildConnector(tls);
      const connect = restartWaitMs > 0 ? awaitingReturn({ url, name: url.host, via: 'to' }, built, refusedOrReset, restartWaitMs) : built;
      if (url.protocol !== 'https:') return new Pool(origin, restartWaitMs > 0 ? { ...options, connect } : options);
      return new Pool(origin, { ...options, connect: protocol ? heard(connect, url, allowH2, protocol) : connect });
    }
    if (url.protocol === 'http:') return forwarded(route, url, options);
    const connect = awaitingReturn(proxyPeer(route), tunnel(route, url, { allowH2, timeout: TUNNEL_TIMEOUT_MS, ...tls }), proxyGone);
    return new Pool(origin, { ...options, connect: protocol ? heard(connect, url, allowH2, protocol) : connect });
  };
}

/**
 * For a host that did not resolve although a proxy is named for it: NO_PROXY sent it direct, where
 * only the proxy may know the name (proxies4 hunt: a token realm exempted by name and port).
 */
export function exemptedNote(url: URL, env: ProxyEnv = processProxies()): string {
  const named = url.protocol === 'https:' ? env.https : url.protocol === 'http:' ? env.http : undefined;
  if (!named || proxyFor(url, env)) return '';
  return `; it went direct, as NO_PROXY exempts it from the proxy ${proxyName(named)}: take it out of NO_PROXY if only the proxy reaches it`;
}

/** A notice that says once per origin, as a -v line, whether it goes through the proxy. */
export function sayProxyOnce(say: (line: string) => void): ProxyNotice {
  const said = new Set<string>();
  return (origin, route, direct) => {
    if (said.has(origin.origin)) return;
    said.add(origin.origin);
    say(direct ? `${origin.host}: direct, not through the proxy ${proxyName(route)} (NO_PROXY, or a loopback address)` : `${origin.host}: through the proxy ${proxyName(route)}`);
  };
}

/** A connection to the registry failed as a registry going away does: refused or reset on arrival. */
function refusedOrReset(err: Error): boolean {
  return PASSING.has((err as { code?: string }).code ?? '');
}
