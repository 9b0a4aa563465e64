// A real forward proxy on loopback, as corporate CI has one (squid, a cloud egress proxy): CONNECT
// tunnels for https:// and absolute-URI requests for http://, optionally asking for Basic
// credentials (407), refusing some targets or CONNECT ports (403), or decrypting every tunnel (intercept.ts). Loopback is never proxied (Go's rule, and ours),
// so tests address a registry by a name only this proxy knows (`registry.proxy.test`), which it
// maps to the registry's real 127.0.0.1 address; it counts what it carried for each name.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { interceptTunnel, type Interception } from './intercept.js';

/** The name the test CA's `good` certificate holds besides 127.0.0.1 (tls.ts), for a registry behind the proxy. */
export const PROXIED_NAME = 'registry.proxy.test';

/** How the proxy behaves. */
export interface ForwardProxyOptions {
  /** `name:port` → `127.0.0.1:port`: the only places the proxy reaches (anything else: 502, as for an unknown host). */
  hosts: Record<string, string>;
  /** `user:password` the proxy asks for in Proxy-Authorization (407 without it or with others). */
  credentials?: string;
  /** Names (`name:port`) the proxy refuses to tunnel to (403). */
  deny?: string[];
  /** The only ports CONNECT may reach, others 403 (squid's default allows 443 alone); any port when absent. */
  connectPorts?: string[];
  /** Reset this many connections as they arrive, before reading a byte (a proxy restarting or failing over). */
  resetFirst?: number;
  /** Answer this many CONNECTs 502 before carrying any (the registry briefly out of the proxy's reach). */
  badGatewayFirst?: number;
  /**
   * Names (`name:port`) whose tunnel the proxy opens (200) and then answers itself, in plain text,
   * with an HTML page: a sign-on or block page where the client expects the registry's TLS.
   */
  pageInTunnel?: string[];
  /** Serve the proxy itself over HTTPS (an https:// proxy URL) with this certificate. */
  tls?: { cert: string; key: string };
  /** Decrypt every tunnel, re-signing the registry's certificate with this CA (intercept.ts). */
  intercept?: Interception;
  /** Listen on this port (a proxy started again where one was closed: a restart); a free one when absent. */
  port?: number;
}

/** A running proxy: its URL, what it carried per `name:port`, and what it refused. */
export interface ForwardProxy {
  url: string;
  /** CONNECT tunnels opened and absolute-URI requests forwarded, per `name:port` asked for. */
  carried: Map<string, number>;
  /** Answers other than 200 the proxy gave (`407 name:port`), in order. */
  refused: string[];
  /** Connections reset on arrival (resetFirst). */
  reset: number;
  close(): Promise<void>;
}

/** Starts a forward proxy on 127.0.0.1 and a free port. */
export async function startForwardProxy(opts: ForwardProxyOptions): Promise<ForwardProxy> {
  const carried = new Map<string, number>();
  const refused: string[] = [];
  const sockets = new Set<Duplex>();
  const expected = opts.credentials ? `Basic ${Buffer.from(opts.credentials).toString('base64')}` : undefined;
  // The status that refuses `authority`, or undefined to carry it (and count it).
  let badGateways = 0;
  const verdict = (req: IncomingMessage, authority: string): number | undefined => {
    const status = expected && req.headers['proxy-authorization'] !== expected ? 407
      : badGateways < (opts.badGatewayFirst ?? 0) && ++badGateways ? 502
      : opts.deny?.includes(authority) ? 403
        : opts.hosts[authority] === undefined ? 502 : undefined;
    if (status) refused.push(`${status} ${authority}`);
    else carried.set(authority, (carried.get(authority) ?? 0) + 1);
    return status;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => forward(req, res, opts, verdict);
  const server = opts.tls ? createHttpsServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handle) : createServer(handle);
  let reset = 0;
  server.on('connection', (socket: Socket) => {
    if (reset < (opts.resetFirst ?? 0)) {
      reset++;
      socket.resetAndDestroy();
    }
  });
  server.on('connect', (req: IncomingMessage, client: Duplex) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const authority = req.url ?? '';
    if (opts.connectPorts && !opts.connectPorts.includes(authority.slice(authority.lastIndexOf(':') + 1))) opts.deny = [...opts.deny ?? [], authority];
    const status = verdict(req, authority);
    if (status) {
      const challenge = status === 407 ? 'Proxy-Authenticate: Basic realm="test proxy"\r\n' : '';
      client.end(`HTTP/1.1 ${status} ${status === 407 ? 'Proxy Authentication Required' : status === 403 ? 'Forbidden' : 'Bad Gateway'}\r\n${challenge}Content-Length: 0\r\n\r\n`);
      return;
    }
    if (opts.pageInTunnel?.includes(authority)) {
      const page = '<html><body><h1>Sign in to continue</h1></body></html>';
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      client.once('data', () => client.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\n\r\n${page}`));
      return;
    }
    const [host, port] = splitAuthority(opts.hosts[authority]!);
    if (opts.intercept) {
      interceptTunnel(client, splitAuthority(authority)[0], [host, port], opts.intercept, sockets).catch(() => client.destroy());
      return;
    }
    const upstream: Socket = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    carried,
    refused,
    get reset() { return reset; },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A plain-http request in absolute form (`GET http://name:port/path`), forwarded to the mapped address.
function forward(req: IncomingMessage, res: ServerResponse, opts: ForwardProxyOptions, verdict: (req: IncomingMessage, authority: string) => number | undefined): void {
  const target = new URL(req.url ?? '/');
  const authority = `${target.hostname}:${target.port || '80'}`;
  const status = verdict(req, authority);
  if (status) {
    res.writeHead(status, status === 407 ? { 'proxy-authenticate': 'Basic realm="test proxy"' } : {}).end();
    return;
  }
  const [host, port] = splitAuthority(opts.hosts[authority]!);
  const { 'proxy-authorization': _auth, 'proxy-connection': _conn, ...headers } = req.headers;
  const upstream = httpRequest({ host, port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

function splitAuthority(authority: string): [string, number] {
  const at = authority.lastIndexOf(':');
  return [authority.slice(0, at), Number(authority.slice(at + 1))];
}
