// A registry that stops accepting connections mid-run (quay.io down at 3 a.m.). skopeo retries a
// refused connection itself (--retry-times: about 7 s per copy), so each copy still queued would
// spend those 7 s again, and regmirror's re-runs multiplied them: 40 tags to a dead target took
// 316 s where the native engine gives up in 16. Once a copy failed on a refused connection, every
// later copy to that address first asks whether anything listens there now (a TCP connect, a
// millisecond on a dead port) and fails at once with the first copy's words while nothing does.
// A registry that went silent (hung: the kernel still accepts, nothing answers) costs more: each
// skopeo run waits out its TLS handshake timeout on every --retry-times try, about 50 s, times the
// re-runs, for every copy queued (24 tags to a hung target: over 10 min). It is remembered the
// same way and checked by a handshake (or an answer over plain HTTP) that must come within seconds.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** How long a listening check waits for the connection (a firewall that drops instead of refusing). */
const LISTEN_CHECK_MS = 2000;

// skopeo's words for it: `Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused`.
const REFUSED = /\b(?:Get|Head|Put|Post|Patch) \\?"(https?:\/\/[^/"\\]+)[^"]*\\?": dial tcp [^ ]+: connect: connection refused/;

// skopeo's words for an address that accepted the connection (or dropped it) and never answered:
// `Get "https://127.0.0.1:5443/v2/": net/http: TLS handshake timeout`, a dial's `i/o timeout`,
// `… (Client.Timeout exceeded while awaiting headers)`.
const SILENT = /\b(?:Get|Head|Put|Post|Patch) \\?"(https?:\/\/[^/"\\]+)[^"]*\\?": (?:net\/http: TLS handshake timeout|dial tcp [^ ]+: i\/o timeout|net\/http: timeout awaiting response headers|.*Client\.Timeout exceeded while awaiting headers)/;

/** The `host[:port]` (as skopeo was given it) whose connection was refused, and its URL origin. */
export function refusedOrigin(stderr: string): URL | undefined {
  const found = REFUSED.exec(stderr);
  return found ? new URL(found[1]!) : undefined;
}

/** The origin skopeo found silent (no handshake or answer in its time), when that is what it said. */
export function silentOrigin(stderr: string): URL | undefined {
  const found = SILENT.exec(stderr);
  return found ? new URL(found[1]!) : undefined;
}

/** Addresses found refusing connections in this run, with what skopeo said then. */
export class RefusingHosts {
  private readonly said = new Map<string, { origin: URL; stderr: string; silent: boolean }>();

  /** Remembers the address `stderr` says refused a connection (or never answered), when it is one of `hosts`. */
  remember(stderr: string, hosts: string[]): boolean {
    const refused = refusedOrigin(stderr);
    const origin = refused ?? silentOrigin(stderr);
    if (!origin || !hosts.includes(origin.host)) return false;
    this.said.set(origin.host, { origin, stderr, silent: !refused });
    return true;
  }

  /** A copy through `host` worked: it accepts connections again. */
  forget(host: string): void {
    this.said.delete(host);
  }

  /** What skopeo said when one of `hosts` refused, if it still refuses; undefined when all listen (or never refused). */
  async stillRefusing(hosts: string[]): Promise<string | undefined> {
    for (const host of hosts) {
      const known = this.said.get(host);
      if (!known) continue;
      if (!(await (known.silent ? staysSilent(known.origin) : refusesConnections(known.origin)))) {
        this.said.delete(host);
        continue;
      }
      return known.stderr;
    }
    return undefined;
  }
}

/** A tracker, or undefined through a proxy (HTTPS_PROXY…): skopeo then connects to the proxy, not to the registry. */
export function refusingHostsUnlessProxied(env: NodeJS.ProcessEnv = process.env): RefusingHosts | undefined {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((name) => !!env[name]);
  return proxied ? undefined : new RefusingHosts();
}

/** True when a TCP connection to `origin` is refused; a timeout or any other outcome is not a refusal. */
function refusesConnections(origin: URL): Promise<boolean> {
  const port = Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80);
  return new Promise((resolve) => {
    const socket = connect({ host: origin.hostname.replace(/^\[|\]$/g, ''), port, timeout: LISTEN_CHECK_MS });
    const done = (refused: boolean) => {
      socket.destroy();
      resolve(refused);
    };
    socket.once('connect', () => done(false));
    socket.once('timeout', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

/** How long a silent address has to answer a check: a TLS handshake, or the first bytes of an answer. */
const ANSWER_CHECK_MS = 5000;

/** True when `origin` does not finish a TLS handshake (https) or send a byte of an answer to GET /v2/ (http) in time, or refuses. */
function staysSilent(origin: URL): Promise<boolean> {
  const host = origin.hostname.replace(/^\[|\]$/g, '');
  const tls = origin.protocol === 'https:';
  const port = Number(origin.port) || (tls ? 443 : 80);
  return new Promise((resolve) => {
    let socket: Socket;
    const done = (silent: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(silent);
    };
    const timer = setTimeout(() => done(true), ANSWER_CHECK_MS);
    // Only whether it answers at all: the certificate is skopeo's to judge.
    if (tls) socket = tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => done(false));
    else socket = connect({ host, port }, () => socket.write(`GET /v2/ HTTP/1.1\r\nHost: ${origin.host}\r\nConnection: close\r\n\r\n`));
    socket.once('data', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}
