// Plain http:// through the proxy: requests forwarded to it as absolute URIs, not tunnelled
// (proxy-tunnel.ts), over connections to the proxy itself whose failures are said as the proxy's.
import { buildConnector, Pool, type Dispatcher } from 'undici';
import type { ProxyRoute } from './proxy-env.js';
import { awaitingReturn } from './restart-wait.js';
import { notReached, proxyAuthorization, proxyGone, proxyPeer, proxyTls, TUNNEL_TIMEOUT_MS } from './proxy-peer.js';

/**
 * Plain http:// goes to the proxy as absolute-URI requests (`GET http://host:port/path`), as Go's
 * transport sends it: proxies commonly refuse CONNECT to ports other than 443 (squid's default).
 */
export function forwarded(route: ProxyRoute, target: URL, options: Pool.Options): Dispatcher {
  const { factory: _factory, connect: _registryTls, ...rest } = options as Pool.Options & { factory?: unknown };
  const pool = new Pool(route.proxy.origin, { ...rest, allowH2: false, connect: awaitingReturn(proxyPeer(route), toProxy(route, target), proxyGone) });
  const auth = proxyAuthorization(route.proxy);
  return pool.compose((dispatch) => (opts, handler) => dispatch({
    ...opts,
    origin: route.proxy.origin,
    path: `${target.origin}${opts.path}`,
    headers: { ...headerObject(opts.headers), host: target.host, ...auth },
  }, handler));
}

/** Connections to the proxy itself, for forwarded requests: one it does not take is the proxy's failure, said as a tunnel's is (not the registry's, retried). */
function toProxy(route: ProxyRoute, target: URL): buildConnector.connector {
  const connect = buildConnector({ timeout: TUNNEL_TIMEOUT_MS, ...proxyTls(route.proxy) });
  return (opts, callback) => connect(opts, (err, socket) => {
    if (err) callback(notReached(route, target, err), null);
    else callback(null, socket!);
  });
}

// undici takes headers as an object, a flat [name, value, …] array, or pairs.
function headerObject(headers: Dispatcher.DispatchOptions['headers']): Record<string, string | string[] | undefined> {
  if (!headers) return {};
  if (!Array.isArray(headers) && !(Symbol.iterator in headers)) return headers as Record<string, string | string[] | undefined>;
  const flat = [...(headers as Iterable<unknown>)].flat() as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!.toLowerCase()] = flat[i + 1]!;
  return out;
}
