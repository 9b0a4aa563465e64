// What a forward proxy's refusal says (proxy.ts): which proxy (never its credentials), which host
// it would not reach, and what to change: HTTPS_PROXY / HTTP_PROXY, its credentials, or NO_PROXY.
import { proxyName, type ProxyRoute } from './proxy-env.js';
import { PROXY_DOWN_MS, tlsFailure } from './tls-errors.js';
import { carriedBefore } from './restart-wait.js';

/** What the proxy said beside its status: squid's X-Squid-Error names the page it made (ERR_ACCESS_DENIED, ERR_CONNECT_FAIL). */
export interface ProxyAnswer { status: number; text?: string; error?: string }

/**
 * A CONNECT answered `status` instead of 200, or a request forwarded to a plain-http registry
 * answered by the proxy's own page (`forwarded`): the proxy's line, not the registry's.
 */
export function refusal(route: ProxyRoute, authority: string, answer: ProxyAnswer, forwarded = false): string {
  const { status } = answer;
  const said = [`${status}${answer.text ? ` ${answer.text}` : ''}`, answer.error].filter(Boolean).join(', ');
  const start = `${authority}: the proxy ${proxyName(route)}`;
  const direct = orExempt(authority);
  if (status === 407) {
    return route.proxy.username
      ? `${start} refused the credentials in ${route.variable} (${said}): check the user and password there (percent-encoded)`
      : `${start} asks for credentials (${said}): put USER:PASSWORD@ before ${route.proxy.host} in ${route.variable}, ${direct}`;
  }
  if (status >= 500) return `${start} could not reach it (${said}): check the name and port, ${direct}`;
  if (forwarded) return `${start} refused to forward requests to it (${said}): ask the proxy's operators to allow it, ${direct}`;
  // squid's default config (and many proxies') tunnels to port 443 only: a registry on another port meets that rule first.
  const port = authority.slice(authority.lastIndexOf(':') + 1);
  const ports = port === '443' ? '' : ` and CONNECT to its port ${port} (many proxies tunnel to 443 only, as squid's default SSL_ports does)`;
  return `${start} refused to tunnel to it (${said}): ask the proxy's operators to allow it${ports}, ${direct}`;
}

/**
 * The proxy could not be reached, its own certificate was refused, or it is not the proxy the URL
 * says: a plain-HTTP proxy named https:// answers the TLS handshake in plain text, and a TLS-only
 * one named http:// drops the plain CONNECT (both read 'unreachable' before, the proxy answering).
 */
export function unreachable(route: ProxyRoute, authority: string, e: Error): string {
  const direct = orExempt(authority);
  const start = `${authority}: the proxy ${proxyName(route)}`;
  const code = (e as { code?: string }).code ?? e.message;
  const tls = tlsFailure(e);
  if (tls?.problem === 'not-tls' || (route.proxy.protocol === 'https:' && NOT_TLS.test(e.message))) {
    return `${start} does not speak TLS (${code}): write http:// in ${route.variable} if it is a plain-HTTP proxy, ${direct}`;
  }
  if (tls?.problem === 'wrong-name') {
    // Checked against the host in the proxy URL: adding a CA would not help.
    const names = tls.failure.cert?.subjectaltname;
    return `${start} has a TLS certificate for another name (${tls.code}${names ? `; it is for ${names}` : ''}): name the proxy in ${route.variable} as its certificate does, ${direct}`;
  }
  if (tls) return `${start} has a TLS certificate that is not trusted (${tls.code}): add its CA to this machine's store (update-ca-certificates, SSL_CERT_FILE) or NODE_EXTRA_CA_CERTS, ${direct}`;
  // A proxy that carried this run's earlier connections is named right and speaks what it is named: it went down.
  if ((code === 'ECONNRESET' || code === 'ECONNREFUSED') && carriedBefore(route.proxy)) {
    return `${start} stopped taking connections (${code}) after carrying earlier ones of this run, and was not back within ${PROXY_DOWN_MS / 1000} s: it went down or is restarting; check that it runs, then run again, ${direct}`;
  }
  if (code === 'ECONNRESET') {
    const scheme = route.proxy.protocol === 'http:' ? ` (https:// if it speaks only TLS)` : '';
    return `${start} closed the connection without answering (ECONNRESET): check that ${route.variable} names a forward proxy${scheme}, ${direct}`;
  }
  return `${start} is unreachable (${code}): check ${route.variable}, ${direct}`;
}

/**
 * The proxy opened the tunnel (200), but the handshake inside it met plain text: the proxy's own
 * page (a sign-on or block page), not the registry, which the same line would otherwise tell to
 * set `tls: disabled`. Undefined for any other handshake failure (the registry's own certificate).
 */
export function pageInTunnel(route: ProxyRoute, authority: string, e: Error): string | undefined {
  if (tlsFailure(e)?.problem !== 'not-tls' && !NOT_TLS.test(e.message)) return undefined;
  const code = (e as { code?: string }).code ?? e.message;
  return `${authority}: the proxy ${proxyName(route)} opened the tunnel, but what came back through it is not TLS (${code}; a sign-on or block page of the proxy?): ask the proxy's operators to let CONNECT to ${authority} through untouched, ${orExempt(authority)}`;
}

/** OpenSSL's words when the other side answers a handshake in plain text. */
const NOT_TLS = /wrong version number|packet length too long/i;

function orExempt(authority: string): string {
  return `or exempt ${authority.replace(/:\d+$/, '')} in NO_PROXY if it is reached without the proxy`;
}
