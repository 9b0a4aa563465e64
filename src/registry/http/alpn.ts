// What ALPN settled on for each TLS connection to an origin (h2, http/1.1, or nothing offered):
// said once per origin as a -v line, and remembered for the origins that spoke HTTP/2, so a
// warning about a host's HTTP/2 (h2-bodies.ts) is given only where it was actually spoken.
import type { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';

/** Hears, for each TLS connection to an origin, what ALPN settled on ('h2', 'http/1.1', or false: nothing offered), and whether h2 was asked for. */
export type ProtocolNotice = (origin: URL, alpn: string | false, allowH2: boolean) => void;

// The process's, not a client's: every client of a run (and the gateway's probes) reaches a host
// with the same TLS settings, so what one connection agreed on holds for the others.
const h2Origins = new Set<string>();

/** Whether a TLS connection to `url`'s origin settled on HTTP/2 (h2-bodies.ts: a warning about its HTTP/2 only then). */
export function spokeH2(url: URL): boolean {
  return h2Origins.has(url.origin);
}

/** `connect`, telling `protocol` (and spokeH2) what each TLS connection it makes agreed on by ALPN. */
export function heard(connect: buildConnector.connector, origin: URL, allowH2: boolean, protocol: ProtocolNotice): buildConnector.connector {
  return (opts, callback) => connect(opts, (err, socket) => {
    if (!err && socket && 'alpnProtocol' in socket) {
      const alpn = (socket as TLSSocket).alpnProtocol ?? false;
      if (alpn === 'h2') h2Origins.add(origin.origin);
      protocol(origin, alpn, allowH2);
    }
    if (err) callback(err, null);
    else callback(null, socket!);
  });
}

/** A notice that says once per origin, as a -v line, which HTTP version its TLS connections speak. */
export function sayProtocolOnce(say: (line: string) => void): ProtocolNotice {
  const said = new Set<string>();
  return (origin, alpn, allowH2) => {
    if (said.has(origin.origin)) return;
    said.add(origin.origin);
    if (alpn === 'h2') say(`${origin.host}: HTTP/2 (ALPN h2); uploads over 64 KiB and blob reads over 4 MiB go over HTTP/1.1`);
    else say(`${origin.host}: HTTP/1.1 (${allowH2 ? 'it did not offer HTTP/2 by ALPN' : '`http2: false`'})`);
  };
}
