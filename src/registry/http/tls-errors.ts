// Certificate failures become one line a person can act on (issue 9): which host, what is wrong
// with its certificate, and what to set in mirrors.yaml. They are not retried (the certificate will
// not change within the run), and once one origin has failed a handshake its later requests fail
// at once with the same error instead of shaking hands again.
import { Readable } from 'node:stream';
import { isLasting, MisplacedLocationError, ProxyError, TlsError, UnreachableError, type TlsProblem } from '../../types/errors.js';
import { realmRemedy } from './realm-tls.js';
import { clientIssuer, clientUnfit, type CertsDir } from './certs-d.js';
import { datesSaid, type Lapsed } from './lapsed.js';
import { hostnameOf } from '../../types/host.js';
import { discard, readPrefix } from './body.js';
import { MAX_ERROR_BODY } from './errors.js';
import { displayUrl, header, type HttpRequest, type HttpResponse, type Send } from './types.js';
import { downgraded, type CertEntry } from './unreachable.js';

/** Whose entry a plain-HTTP request to a TLS port is, and the http:// endpoint that sent it there. */
type PlainEntry = Pick<CertEntry, 'host' | 'plainEndpoint' | 'downgraded'>;

// Node's (OpenSSL's) codes for each problem.
const PROBLEMS: Record<string, TlsProblem> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  CERT_REJECTED: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-name',
  HOSTNAME_MISMATCH: 'wrong-name',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  // The server's alerts when it wants a client certificate (mTLS), TLS 1.2 and 1.3.
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client-cert',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'client-cert',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client-cert',
  // The server's alert when no protocol offered by ALPN suits it: a front end that speaks only
  // HTTP/2, asked for HTTP/1.1 alone (the upload pool, pool.ts, or `http2: false`).
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'h2-only',
};

// The certificate's issuer was found nowhere: neither among the trusted CAs nor in the chain the
// server sent. With a `caFile` given, that is the wrong CA in it, or a server sending its leaf
// without the intermediate that links it to the CA.
const NO_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** What Node's error says besides its code: for a wrong name, the name checked, why, and the certificate; for dates, the certificates out of them (lapsed.ts). */
type Failure = { code?: string; reason?: string; host?: string; cert?: { subjectaltname?: string; subject?: { CN?: string } }; lapsed?: Lapsed[]; missingIssuer?: string };

const REMEDY: Record<TlsProblem, (host: string, code: string, caFile: boolean, failure: Failure, certs?: CertsDir) => string> = {
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
function speaksTls({ host, plainEndpoint }: PlainEntry): string {
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
 * The TlsError for a failed request, or undefined when `e` is not a certificate problem; `caFile`
 * when the registries: entry for `host` gives one (the remedy is then about what is in it); `realm`
 * when the certificate is that of the host's token service on another origin (realm-tls.ts);
 * `certs` the host's certs.d directories (certs-d.ts), named in the remedy, or the realm's when
 * `realmOwn` (a realm trusted as its own host: see CertEntry).
 */
export function tlsError(host: string, e: unknown, caFile = false, realm?: string, certs?: CertsDir, realmOwn?: 'plain' | 'entry'): TlsError | undefined {
  if (e instanceof TlsError) return e;
  const found = tlsFailure(e);
  if (!found) return undefined;
  const { failure, code, problem } = found;
  const remedy = realm ? realmRemedy(host, realm, problem, code, failure, realmOwn ? certs : undefined, { caFile, certs }, realmOwn === 'entry') : REMEDY[problem](host, code, caFile, failure, certs);
  return new TlsError(host, problem, `${host}: ${remedy}`);
}

/** The certificate problem behind a failed connection (Node's error or its cause), if it is one. */
export function tlsFailure(e: unknown): { failure: Failure; code: string; problem: TlsProblem } | undefined {
  const err = e as Failure & { cause?: Failure };
  const failure = [err, err?.cause].find((f): f is Failure => f?.code !== undefined && f.code in PROBLEMS);
  return failure ? { failure, code: failure.code!, problem: PROBLEMS[failure.code!]! } : undefined;
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

/** What a TLS server answers a plain-HTTP request with (Go's net/http, nginx). */
const HTTPS_ONLY = /client sent an http request to an https server|plain http request was sent to https port/i;

/**
 * A 400 to a plain-HTTP request that says the port speaks HTTPS becomes a TlsError (`speaks-tls`);
 * any other 400 goes on as it came (its body, read here, handed on from memory). Only such answers
 * come here: every other one passes withTlsVerdicts without a further await.
 */
async function httpsOnly(res: HttpResponse, req: HttpRequest, entryFor: (url: URL) => PlainEntry, next: Send): Promise<HttpResponse> {
  if (req.method === 'HEAD') {
    if (!(await headSpeaksHttps(req, next))) return res;
  } else {
    const text = await readPrefix(res.body, MAX_ERROR_BODY);
    if (!HTTPS_ONLY.test(text.toString('latin1'))) return { ...res, body: Readable.from([text], { objectMode: false }) };
  }
  const entry = entryFor(req.url);
  // A location on http:// that the registry gave, reached over https:// (a front end ending TLS
  // that does not say so): its entry is right, and 'set tls: verify' there changed nothing.
  if (entry.downgraded) throw new MisplacedLocationError(entry.host, `${entry.host}: ${req.method} ${displayUrl(req.url)}: that port speaks HTTPS and was asked in plain HTTP${downgraded(entry.host, req.url)}`);
  throw new TlsError(entry.host, 'speaks-tls', `${entry.host}: ${speaksTls(entry)}`);
}

/**
 * A HEAD's 400 has no body to tell by (publish and the gateway's probes begin with a HEAD of a
 * manifest, and used to end on a bare "400 Bad Request"): a GET of /v2/ on that origin says it.
 */
async function headSpeaksHttps(req: HttpRequest, next: Send): Promise<boolean> {
  const res = await next({ method: 'GET', url: new URL('/v2/', req.url), scopes: [], signal: req.signal, noRetry: true });
  if (res.status !== 400) {
    discard(res.body, header(res, 'content-length'));
    return false;
  }
  return HTTPS_ONLY.test((await readPrefix(res.body, MAX_ERROR_BODY)).toString('latin1'));
}

/**
 * Remembers a refused handshake (or a proxy's refusal to tunnel: proxy-tunnel.ts) per origin so that later
 * requests fail at once, and the same way; `onRefused` hears of each origin once (the CLI says it
 * as one warning line). A proxy that dropped connections until a request's attempts ran out is
 * believed down for PROXY_DOWN_MS only: a long sync, and the gateway, find it again once it is back.
 * Other verdicts stand for `lastingMs` (a run: for good; the gateway: a while, then asked again,
 * and said again if the origin answered in between and then refused anew).
 */
export function withTlsVerdicts(next: Send, onRefused?: (e: UnreachableError) => void, entryFor: (url: URL) => PlainEntry = (url) => ({ host: url.host }), lastingMs = Infinity): Send {
  const refused = new Map<string, { err: UnreachableError; until: number }>();
  const said = new Set<string>();
  return async (req: HttpRequest) => {
    const origin = req.url.origin;
    const known = refused.get(origin);
    if (known && Date.now() < known.until) throw known.err;
    try {
      const res = await next(req);
      if (known) {
        refused.delete(origin);
        said.delete(origin);
      }
      return res.status === 400 && req.url.protocol === 'http:' ? await httpsOnly(res, req, entryFor, next) : res;
    } catch (e) {
      const down = e instanceof ProxyError && e.passing;
      const live = refused.get(origin);
      if (e instanceof UnreachableError && (isLasting(e) || down) && !(live && Date.now() < live.until)) {
        refused.set(origin, { err: e, until: Date.now() + (down ? PROXY_DOWN_MS : lastingMs) });
        if (!said.has(origin)) onRefused?.(e);
        said.add(origin);
      }
      throw e;
    }
  };
}

/** How long a proxy that kept dropping connections is believed down before it is asked again. */
export const PROXY_DOWN_MS = 30_000;
