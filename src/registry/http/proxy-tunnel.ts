// https:// through the proxy: a CONNECT tunnel to the origin, then TLS with the origin's own
// settings inside it; a refused CONNECT, or the proxy's page where TLS was expected, is the proxy's.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { buildConnector } from 'undici';
import { ProxyError } from '../../types/errors.js';
import type { ProxyRoute } from './proxy-env.js';
import { pageInTunnel, refusal } from './proxy-refusals.js';
import { namingLapsed } from './lapsed.js';
import { authorityOf, notReached, proxyAuthorization, proxyErrorName, proxyTls, TUNNEL_TIMEOUT_MS } from './proxy-peer.js';

export function tunnel(route: ProxyRoute, target: URL, tls: buildConnector.BuildOptions): buildConnector.connector {
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
