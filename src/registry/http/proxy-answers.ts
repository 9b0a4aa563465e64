// Which answers to a request forwarded as plain http:// (proxy-forward.ts) are the proxy's own and
// not the registry's: send.ts and publish's downloads ask this of every answer they are given.
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { ProxyError } from '../../types/errors.js';
import { proxyFor, type ProxyEnv } from './proxy-env.js';
import { refusal } from './proxy-refusals.js';
import { processProxies } from './proxy.js';
import { authorityOf, proxyErrorName } from './proxy-peer.js';

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
