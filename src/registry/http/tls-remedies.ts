// What each certificate problem's line tells a person to set in mirrors.yaml, by problem. Apart from
// tls-errors.ts, which tells the problem from Node's error and decides when a line is said.
import type { TlsProblem } from '../../types/errors.js';
import { clientIssuer, clientUnfit, type CertsDir } from './certs-d.js';
import { datesSaid, type Lapsed } from './lapsed.js';
import { hostnameOf } from '../../types/host.js';
import type { CertEntry } from './unreachable.js';

/** Whose entry a plain-HTTP request to a TLS port is, and the http:// endpoint that sent it there. */
export type PlainEntry = Pick<CertEntry, 'host' | 'plainEndpoint' | 'downgraded'>;

// The certificate's issuer was found nowhere: neither among the trusted CAs nor in the chain the
// server sent. With a `caFile` given, that is the wrong CA in it, or a server sending its leaf
// without the intermediate that links it to the CA.
const NO_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** What Node's error says besides its code: for a wrong name, the name checked, why, and the certificate; for dates, the certificates out of them (lapsed.ts). */
export type Failure = { code?: string; reason?: string; host?: string; cert?: { subjectaltname?: string; subject?: { CN?: string } }; lapsed?: Lapsed[]; missingIssuer?: string };

export const REMEDY: Record<TlsProblem, (host: string, code: string, caFile: boolean, failure: Failure, certs?: CertsDir) => string> = {
  untrusted: (host, code, caFile, failure, certs) => {
    if ((caFile || certs?.found) && NO_ISSUER.has(code)) {
      const given = [caFile ? `the \`caFile\` under registries: ${host}` : '', certs?.found ? `the *.crt in ${certs.found}` : ''].filter(Boolean).join(' and ');
      const issuer = failure.missingIssuer ? `; it is issued by ${failure.missingIssuer}, which ${certs?.found ? 'they do' : 'that file does'} not hold` : '';
      return `its TLS certificate is not trusted (${code}${issuer}) with ${given}: ${certs?.found ? 'they' : 'that file'} must hold the CA that signed it, and the intermediate certificate too when the registry does not send it; or set \`tls: insecure\` under registries: ${host} to skip verification`;
    }
    const what = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'that self-signed certificate itself' : 'the CA that signed it';
    return `its TLS certificate is not trusted (${code}): give ${what} as \`caFile\` under registries: ${host}${certs && !certs.found ? ` (or as ca.crt in ${certs.looked[0]}, where skopeo and podman read it too)` : ''}, or set \`tls: insecure\` there to skip verification`;
  },
  'wrong-name': (host, code, _caFile, failure) => wrongName(host, code, failure),
  'client-cert': (host, code, _caFile, _failure, certs) => `it refused the TLS handshake (${code}): it asks for a client certificate (mutual TLS)${clientCert(certs)}; or reach it through an \`endpoint\` under registries: ${host} that does not ask for one`,
  'speaks-tls': (host) => speaksTls({ host }),
  // Not valid yet is most often this machine's clock behind (a restored VM), not the registry.
  expired: (host, code, _caFile, failure) => `${code === 'CERT_NOT_YET_VALID'
    ? `${whichLapsed(failure)} is not valid yet (${code}${datesSaid(failure.lapsed, 'from')}): check this machine's clock, which may be behind, and the certificate's start date`
    : `${whichLapsed(failure)} has expired (${code}${datesSaid(failure.lapsed, 'until')}): ${renewal(failure)} (or this machine's clock is ahead)`}; \`tls: insecure\` under registries: ${host} skips verification meanwhile`,
  'h2-only': (host, code) => `it refused HTTP/1.1 in the TLS handshake (${code}): it speaks only HTTP/2, and regmirror sends blob uploads over 64 KiB (and every request under \`http2: false\`) over HTTP/1.1; drop \`http2: false\` under registries: ${host} if set, or reach it through an \`endpoint\` there that speaks HTTP/1.1 too`,
  'not-tls': (host, code) => `it does not speak TLS on this port (${code}): if it is plain HTTP, set \`tls: disabled\` under registries: ${host}`,
};

/**
 * A TLS port asked in plain HTTP. An http:// endpoint (mirrors.yaml's or --endpoint's) is the one
 * thing to change there: `tls: verify` beside it is a config error, which the line used to advise.
 */
export function speaksTls({ host, plainEndpoint }: PlainEntry): string {
  const asked = 'it speaks HTTPS on this port but was asked in plain HTTP';
  if (plainEndpoint) return `${asked}, as its endpoint ${plainEndpoint} says: make that endpoint https://, with \`caFile\` under registries: ${host} for a private CA (or \`tls: insecure\`)`;
  return `${asked} (a loopback host's default or \`tls: disabled\`): set \`tls: verify\` under registries: ${host}, with \`caFile\` for a private CA (or \`tls: insecure\`)`;
}

/** The certificate out of its dates: the registry's own unless only a CA of its chain is (lapsed.ts). */
function whichLapsed(failure: Failure): string {
  const lapsed = failure.lapsed ?? [];
  if (lapsed.length === 0 || lapsed.some((c) => c.place === 'leaf')) return 'its TLS certificate';
  return lapsed[0]!.place === 'root' ? 'the root CA certificate its TLS certificate chains to' : 'the intermediate CA certificate in its TLS certificate\'s chain';
}

/** Who renews what: the leaf is the registry's to renew; an intermediate it sends is an old one left in its chain file. */
function renewal(failure: Failure): string {
  const lapsed = failure.lapsed ?? [];
  if (lapsed.length === 0 || lapsed.some((c) => c.place === 'leaf')) return 'the registry must renew it';
  if (lapsed[0]!.place === 'root') return 'the registry needs a certificate from a current CA, or the trusted copy of that CA (caFile, certs.d, this machine\'s store) is an old one';
  return 'the registry must send the current intermediate with its certificate, not the old one its chain file holds';
}

/** Where regmirror looked for a client certificate, and what it found (certs-d.ts). */
function clientCert(certs?: CertsDir): string {
  if (!certs) return ', which regmirror does not present';
  if (certs.client) return ` and refused ${certs.client}, which regmirror presented${clientUnfit(certs.clientFacts) ?? `${clientIssuer(certs.clientFacts)}: the registry must accept it (distribution: http.tls.clientcas holds the CA that issued it), or that directory must hold one it accepts, with its key`}`;
  if (certs.found) return `: put it and its key as client.cert and client.key in ${certs.found}, where regmirror read the registry's CAs (skopeo and podman read them there too)`;
  return `: put it and its key as client.cert and client.key in ${certs.looked[0]}, where skopeo and podman read them too (regmirror looked in ${certs.looked.join(', ')})`;
}

/**
 * Node checks the certificate against the name the connection went to, which an `endpoint` may
 * have changed: say that name, and the names the certificate holds, so the fix is plain.
 */
function wrongName(host: string, code: string, failure: Failure): string {
  // Certificates name hosts, not ports: the name is said without the port (and an IPv6 address
  // without its brackets, as Node checks it).
  const name = hostnameOf(host);
  const checked = failure.host && failure.host !== name ? `${failure.host}, where its endpoint points` : name;
  const names = failure.cert?.subjectaltname ?? (failure.cert?.subject?.CN ? `CN=${failure.cert.subject.CN}` : undefined);
  const why = names ? `; the certificate is for ${names}` : failure.reason ? `; ${failure.reason.replace(/\.$/, '')}` : '';
  return `its TLS certificate does not match the name ${checked} (${code}${why}): reach it by a name the certificate holds (\`endpoint\` under registries: ${host}), or set \`tls: insecure\` there`;
}
