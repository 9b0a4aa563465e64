// A registry that stops accepting connections mid-run (quay.io down at 3 a.m.). skopeo retries a
// refused connection itself (--retry-times: about 7 s per copy), so each copy still queued would
// spend those 7 s again, and regmirror's re-runs multiplied them: 40 tags to a dead target took
// 316 s where the native engine gives up in 16. Once a copy failed on a refused connection, every
// later copy to that address first asks whether anything listens there now (a TCP connect, a
// millisecond on a dead port) and fails at once with the first copy's words while nothing does.
import { connect } from 'node:net';

/** How long a listening check waits for the connection (a firewall that drops instead of refusing). */
const LISTEN_CHECK_MS = 2000;

// skopeo's words for it: `Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused`.
const REFUSED = /\b(?:Get|Head|Put|Post|Patch) \\?"(https?:\/\/[^/"\\]+)[^"]*\\?": dial tcp [^ ]+: connect: connection refused/;

/** The `host[:port]` (as skopeo was given it) whose connection was refused, and its URL origin. */
export function refusedOrigin(stderr: string): URL | undefined {
  const found = REFUSED.exec(stderr);
  return found ? new URL(found[1]!) : undefined;
}

/** Addresses found refusing connections in this run, with what skopeo said then. */
export class RefusingHosts {
  private readonly said = new Map<string, { origin: URL; stderr: string }>();

  /** Remembers the address `stderr` says refused a connection, when it is one of `hosts`. */
  remember(stderr: string, hosts: string[]): boolean {
    const origin = refusedOrigin(stderr);
    if (!origin || !hosts.includes(origin.host)) return false;
    this.said.set(origin.host, { origin, stderr });
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
      if (!(await refusesConnections(known.origin))) {
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
