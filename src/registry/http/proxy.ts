// Connections through the forward proxy the environment names (proxy-env.ts): a CONNECT tunnel to
// the origin, then TLS with the origin's own settings (caFile, tls: insecure) and ALPN inside it,
// so HTTP/2 works through the tunnel as it does direct; plain http:// is forwarded instead. Written on undici's public buildConnector
// rather than with its ProxyAgent: ProxyAgent reports a refused CONNECT as RequestAbortedError
// with the status in its message text only, and a 407 had to become one line saying what to fix.
import { request as httpRequest, STATUS_CODES, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import { ProxyError } from '../../types/errors.js';
import { registerSecret } from '../../ui/redact.js';
import { proxyEnv, proxyFor, proxyName, type ProxyEnv, type ProxyRoute } from './proxy-env.js';
import { pageInTunnel, refusal, unreachable } from './proxy-refusals.js';
import { storeContext } from './trust-store.js';
import { namingLapsed } from './lapsed.js';
import { heard, type ProtocolNotice } from './alpn.js';
import { pipeliningClients, poolConnections, type Spoken } from './pipelining.js';
import { awaitingReturn, type Peer } from './restart-wait.js';

/** How long the proxy may take to open a tunnel (undici's own connect timeout). */
const TUNNEL_TIMEOUT_MS = 10_000;

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

/**
 * Plain http:// goes to the proxy as absolute-URI requests (`GET http://host:port/path`), as Go's
 * transport sends it: proxies commonly refuse CONNECT to ports other than 443 (squid's default).
 */
function forwarded(route: ProxyRoute, target: URL, options: Pool.Options): Dispatcher {
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

/** The proxy's connection failed: lasting, unless the proxy refused or dropped it (restarting, failing over). */
function notReached(route: ProxyRoute, target: URL, e: Error): ProxyError {
  const code = (e as { code?: string }).code ?? '';
  return new ProxyError(target.host, undefined, unreachable(route, authorityOf(target), e), PASSING.has(code));
}

/** What a proxy or registry that restarts or fails over does to connections; one that never answers (ETIMEDOUT) is not retried. */
const PASSING = new Set(['ECONNREFUSED', 'ECONNRESET']);

/** The proxy as restart-wait.ts probes and names it. */
export function proxyPeer(route: ProxyRoute): Peer {
  return { url: route.proxy, name: `the proxy ${proxyName(route)}`, via: 'through' };
}

/** A connection to the proxy (or a tunnel through it) failed as a proxy going away does: waited for (restart-wait.ts). */
function proxyGone(err: Error): boolean {
  return err instanceof ProxyError && err.passing && err.status === undefined;
}

/** A connection to the registry failed as a registry going away does: refused or reset on arrival. */
function refusedOrReset(err: Error): boolean {
  return PASSING.has((err as { code?: string }).code ?? '');
}

/** `host:port` as a proxy is asked for it (CONNECT's request target), the port always said. */
function authorityOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * The proxy's own answer to an absolute-URI request (forwarded), said as a refused CONNECT is: a 407,
 * or a 403 or 5xx page it made itself (squid's X-Squid-Error: ERR_CONNECT_FAIL to a registry down,
 * not the registry's 503); undefined for the registry's own answers, and when `url` goes direct.
 * The proxy's other pages stay answers (its 413 ERR_TOO_BIG to a large PUT: the upload adapts).
 */
export function proxyRefused(url: URL, status: number, headers: IncomingHttpHeaders, env: ProxyEnv = processProxies()): ProxyError | undefined {
  const error = proxyErrorName(headers);
  // Through a tunnel (https://) every page is the registry's, whatever front end it has.
  const page = url.protocol === 'http:' && error !== undefined && (status === 403 || status >= 500);
  if (status !== 407 && !page) return undefined;
  const route = proxyFor(url, env);
  if (!route) return undefined;
  return new ProxyError(url.host, status, refusal(route, authorityOf(url), { status, text: STATUS_CODES[status], error }, true), status >= 500);
}

/** The page a proxy made (squid's `X-Squid-Error: ERR_ACCESS_DENIED 0`), by its name. */
function proxyErrorName(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-squid-error'];
  return (Array.isArray(value) ? value[0] : value)?.split(' ')[0] || undefined;
}

/**
 * How an https:// proxy's own certificate is checked: against the machine's store too (trust-store.ts),
 * as Go's transport checks it (skopeo trusted a proxy signed by a CA there; regmirror said 'not trusted').
 */
function proxyTls(proxy: URL): { secureContext?: SecureContext } {
  const store = proxy.protocol === 'https:' ? storeContext() : undefined;
  return store ? { secureContext: store } : {};
}

/** The Proxy-Authorization header for the credentials in the proxy URL, if any. */
function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(user).toString('base64')}` };
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

function tunnel(route: ProxyRoute, target: URL, tls: buildConnector.BuildOptions): buildConnector.connector {
  const handshake = namingLapsed(buildConnector(tls));
  const authority = authorityOf(target);
  const { proxy } = route;
  const headers = { host: authority, ...proxyAuthorization(proxy) };
  const send = proxy.protocol === 'https:' ? httpsRequest : httpRequest;
  const host = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  // Node names the server by the Host header, the registry here: the proxy's own name is the one its certificate holds ('' for an address: no SNI).
  const secure = proxy.protocol === 'https:' ? { servername: isIP(host) ? '' : host, ...proxyTls(proxy) } : {};
  return (opts, callback) => {
    let done = false;
    const finish = (err: Error | null, socket?: Socket) => {
      if (done) return;
      done = true;
      if (err) callback(err, null);
      else callback(null, socket!);
    };
    // Plain text inside the tunnel is the proxy's page, said as the proxy's (never retried); any other handshake failure is the registry's.
    const inTunnel = (err: Error) => {
      const page = pageInTunnel(route, authority, err);
      return page ? new ProxyError(target.host, undefined, page) : err;
    };
    const req: ClientRequest = send({
      host, port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT', path: authority, headers, agent: false, timeout: TUNNEL_TIMEOUT_MS, ...secure,
    });
    req.once('connect', (res, socket, head) => {
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        // A 5xx is the proxy not reaching the registry just now, asked again as the registry's own 5xx would be.
        const status = res.statusCode ?? 0;
        finish(new ProxyError(target.host, status, refusal(route, authority, { status, text: res.statusMessage, error: proxyErrorName(res.headers) }), status >= 500));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      if (target.protocol !== 'https:') finish(null, socket);
      else handshake({ ...opts, httpSocket: socket }, (err, tlsSocket) => (err ? finish(inTunnel(err)) : finish(null, tlsSocket!)));
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('no answer to CONNECT in time'), { code: 'ETIMEDOUT' })));
    req.once('error', (e) => finish(notReached(route, target, e)));
    req.end();
  };
}
