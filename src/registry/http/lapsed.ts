// Node refuses an expired certificate with CERT_HAS_EXPIRED and nothing of which one: a registry
// whose own certificate was valid but which sent an intermediate CA that had expired (an old
// bundle left in its config) read "its TLS certificate has expired: the registry must renew it",
// and its operators renewed nothing. The chain is read as the handshake ends, just before Node
// refuses it, and the certificates out of their dates are named on the error.
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';

/** A certificate of the chain out of its dates: its subject, where it sits, and the date it missed. */
export interface Lapsed {
  subject: string;
  place: 'leaf' | 'intermediate' | 'root';
  /** valid_to (expired) or valid_from (not valid yet), as an ISO date. */
  date: string;
}

const DATED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const UNKNOWN_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** `connect` with the lapsed certificates of a refused chain put on its error as `lapsed`. */
export function namingLapsed(connect: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    let chain: PeerCertificate | undefined;
    const socket = (connect as (...a: Parameters<buildConnector.connector>) => TLSSocket | undefined)(opts, (err, sock) => {
      if (!err) return callback(null, sock!);
      const code = (err as { code?: string }).code ?? '';
      if (chain && DATED.has(code)) Object.assign(err, { lapsed: lapsedIn(chain, code === 'CERT_HAS_EXPIRED') });
      // An issuer found nowhere (a caFile of another CA: newuser2 hunt) is named, as the CA to give.
      if (chain && UNKNOWN_ISSUER.has(code)) Object.assign(err, { missingIssuer: missingIssuer(chain) });
      callback(err, null);
    });
    // Node's own listener (tls.connect's) refuses the chain and ends the socket: this one runs
    // first (~0.4 ms a handshake). getPeerX509Certificate here, cheaper, left Node's name check
    // that follows a certificate without its names (Node 20: every good one was 'another name').
    socket?.prependListener?.('secure', () => {
      chain = socket.getPeerCertificate(true);
    });
  };
}

/** The certificates of the chain from `leaf` past their end (`expired`) or before their start, leaf first. */
export function lapsedIn(leaf: PeerCertificate, expired: boolean, now = Date.now()): Lapsed[] {
  const out: Lapsed[] = [];
  const seen = new Set<PeerCertificate>();
  for (let cert: DetailedPeerCertificate | undefined = leaf as DetailedPeerCertificate; cert && !seen.has(cert); cert = cert.issuerCertificate) {
    seen.add(cert);
    const at = Date.parse(expired ? cert.valid_to : cert.valid_from);
    if (Number.isNaN(at) || (expired ? at >= now : at <= now)) continue;
    const place = cert === leaf ? 'leaf' : cert.issuerCertificate === cert ? 'root' : 'intermediate';
    out.push({ subject: subjectOf(cert), place, date: certificateDate(at) });
  }
  return out;
}

/** The issuer of the last certificate of the chain the server sent: the CA no trusted file held. */
export function missingIssuer(leaf: PeerCertificate): string | undefined {
  let cert = leaf as DetailedPeerCertificate;
  const seen = new Set<PeerCertificate>([cert]);
  while (cert.issuerCertificate && !seen.has(cert.issuerCertificate)) {
    cert = cert.issuerCertificate;
    seen.add(cert);
  }
  return cert.issuer ? subjectOf({ subject: cert.issuer } as PeerCertificate) : undefined;
}

/** A certificate's date as the lines say it: ISO, to the second (`2026-12-05T01:32:28Z`). */
export function certificateDate(at: string | number): string {
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

/** `; CN=…, valid until DATE` for each certificate out of its dates (`word`: 'until' expired, 'from' not yet valid). */
export function datesSaid(lapsed: Lapsed[] | undefined, word: 'from' | 'until'): string {
  return (lapsed ?? []).map((c) => `; ${c.place === 'leaf' ? '' : `${c.place} `}${c.subject}, valid ${word} ${c.date}`).join('');
}

function subjectOf(cert: PeerCertificate): string {
  const subject = Object.entries(cert.subject ?? {}) as [string, string | string[]][];
  const said = (k: string, v: string | string[]) => `${k}=${[v].flat().join('+')}`;
  const cn = subject.find(([k]) => k === 'CN');
  return cn ? said(...cn) : subject.map(([k, v]) => said(k, v)).join(', ') || 'no subject';
}
