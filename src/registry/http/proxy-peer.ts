// The forward proxy itself as the tunnel (proxy-tunnel.ts) and forwarding (proxy-forward.ts) reach
// it: how its certificate is checked, the credentials it is sent, the name restart-wait.ts waits for
// it under, and how a connection it did not take or a page it made is said.
import type { IncomingHttpHeaders } from 'node:http';
import type { SecureContext } from 'node:tls';
import { ProxyError } from '../../types/errors.js';
import { proxyName, type ProxyRoute } from './proxy-env.js';
import { unreachable } from './proxy-refusals.js';
import { storeContext } from './trust-store.js';
import type { Peer } from './restart-wait.js';

/** How long the proxy may take to open a tunnel (undici's own connect timeout). */
export const TUNNEL_TIMEOUT_MS = 10_000;

/** The proxy's connection failed: lasting, unless the proxy refused or dropped it (restarting, failing over). */
export function notReached(route: ProxyRoute, target: URL, e: Error): ProxyError {
  const code = (e as { code?: string }).code ?? '';
  return new ProxyError(target.host, undefined, unreachable(route, authorityOf(target), e), PASSING.has(code));
}

/** What a proxy or registry that restarts or fails over does to connections; one that never answers (ETIMEDOUT) is not retried. */
export const PASSING = new Set(['ECONNREFUSED', 'ECONNRESET']);

/** The proxy as restart-wait.ts probes and names it. */
export function proxyPeer(route: ProxyRoute): Peer {
  return { url: route.proxy, name: `the proxy ${proxyName(route)}`, via: 'through' };
}

/** A connection to the proxy (or a tunnel through it) failed as a proxy going away does: waited for (restart-wait.ts). */
export function proxyGone(err: Error): boolean {
  return err instanceof ProxyError && err.passing && err.status === undefined;
}

/** `host:port` as a proxy is asked for it (CONNECT's request target), the port always said. */
export function authorityOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** The page a proxy made (squid's `X-Squid-Error: ERR_ACCESS_DENIED 0`), by its name. */
export function proxyErrorName(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-squid-error'];
  return (Array.isArray(value) ? value[0] : value)?.split(' ')[0] || undefined;
}

/**
 * How an https:// proxy's own certificate is checked: against the machine's store too (trust-store.ts),
 * as Go's transport checks it (skopeo trusted a proxy signed by a CA there; regmirror said 'not trusted').
 */
export function proxyTls(proxy: URL): { secureContext?: SecureContext } {
  const store = proxy.protocol === 'https:' ? storeContext() : undefined;
  return store ? { secureContext: store } : {};
}

/** The Proxy-Authorization header for the credentials in the proxy URL, if any. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(user).toString('base64')}` };
}
