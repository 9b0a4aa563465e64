// A connection failure said as one line naming the registry, what failed and, where it is known,
// what to do about it: the message of the UnreachableError the retry layer (retry.ts) gives up with.
import { isIP } from 'node:net';
import { MisplacedLocationError, UnreachableError } from '../../types/errors.js';
import { PROXY_DOWN_MS, tlsError } from './tls-errors.js';
import { notBack } from './restart-wait.js';
import type { CertsDir } from './certs-d.js';
import { errors } from './undici.js';
import { displayUrl, type HttpRequest } from './types.js';
import { exemptedNote } from './proxy.js';

// Connection failures said as what they mean for the registry (the code kept for searches).
const SAID: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'it accepted the request but sent no answer in time (UND_ERR_HEADERS_TIMEOUT)',
  UND_ERR_BODY_TIMEOUT: 'its answer stopped arriving midway (UND_ERR_BODY_TIMEOUT)',
  UND_ERR_CONNECT_TIMEOUT: 'no connection within 10 s, TLS handshake included (UND_ERR_CONNECT_TIMEOUT)',
  UND_ERR_SOCKET: 'it closed the connection before answering in full (UND_ERR_SOCKET)',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'its answer was not as long as it said (UND_ERR_RES_CONTENT_LENGTH_MISMATCH)',
  ECONNRESET: 'the connection was reset (ECONNRESET)',
  ECONNREFUSED: 'nothing accepts connections at that address and port (ECONNREFUSED)',
  ENOTFOUND: 'no such host name (ENOTFOUND)',
};

/** A connection failure's code said as what it means for the registry, when it is one we know. */
export function saidOf(code: string): string | undefined {
  return SAID[code];
}

/** The code of a connection failure: its cause's (undici wraps Node's), else its own. */
export function failureCode(e: unknown): string | undefined {
  const err = e as { code?: string; cause?: { code?: string } } | undefined;
  return err?.cause?.code ?? err?.code;
}

/**
 * An HTTP/2 stream the server closed or reset before answering in full: undici says a
 * RST_STREAM(CANCEL or REFUSED_STREAM) before the headers, or a stream ended without them, as an
 * InformationalError (UND_ERR_INFO, "HTTP/2: stream closed before the response was complete"),
 * not as the ERR_HTTP2_STREAM_ERROR of other codes; it is a reset all the same.
 */
export function isStreamClosed(e: unknown): e is Error {
  return e instanceof errors.InformationalError && e.message.startsWith('HTTP/2: ');
}

/** The registries: entry a refused certificate belongs to, and whether that entry gives a caFile. */
export interface CertEntry {
  host: string;
  caFile: boolean;
  /** The certs.d directories looked in for the host, and the one read (certs-d.ts). */
  certsDir?: CertsDir;
  /** The origin of the host's token service, when the refused certificate is its (realm-tls.ts). */
  realm?: string;
  /**
   * The realm is trusted as its own host: a plain-http registry's realm over https ('plain'), or a
   * realm whose host has an entry of its own under registries: ('entry'); `certsDir` is then the realm host's.
   */
  realmOwn?: 'plain' | 'entry';
  /** The URL is plain http:// on the host's own name while the host is reached over https:// (a location it gave). */
  downgraded?: boolean;
  /** The host is reached by an http:// endpoint: it and where it is set (`http://… (--endpoint)`). */
  plainEndpoint?: string;
  /** The URL is on the host's own name and scheme but another port: the port the host is reached on. */
  reachedPort?: string;
}

/** How a URL on the host's own name misses where the host is reached (`base`): see CertEntry. */
export function misplaced(url: URL, base: URL): Pick<CertEntry, 'downgraded' | 'reachedPort'> {
  if (url.hostname !== base.hostname) return {};
  if (url.protocol === 'http:' && base.protocol === 'https:') return { downgraded: true };
  return url.protocol === base.protocol && url.port !== base.port ? { reachedPort: portOf(base) } : {};
}

/** A URL's port, the scheme's default when it names none. */
function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Wraps a connection failure as UnreachableError naming the host and what failed. */
export function unreachable(host: string, req: HttpRequest, e: unknown, cert: CertEntry = { host, caFile: false }): UnreachableError {
  if (e instanceof UnreachableError) return e;
  const tls = tlsError(cert.host, e, cert.caFile, cert.realm, cert.certsDir, cert.realmOwn);
  if (tls) return tls;
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = failureCode(e);
  const why = isStreamClosed(e) ? `it reset the stream before answering in full (${e.message})`
    // A front end that agreed to HTTP/2 by ALPN and then answered otherwise (HTTP/1.1 bytes).
    : code === 'ERR_HTTP2_ERROR' ? `it offered HTTP/2 by ALPN but did not speak it (ERR_HTTP2_ERROR): a proxy in front of it may mishandle HTTP/2; set \`http2: false\` under registries: ${host}`
    : code === 'ERR_HTTP2_STREAM_ERROR' ? streamReset(host, err.message ?? '')
    // undici 7 drops an HTTP/1.1 connection whose answer begins with a 100 Continue it did not
    // ask for ("bad response"), where skopeo reads the answer after it; the line said the
    // registry had closed the connection.
    : code === 'UND_ERR_SOCKET' && (err.cause?.message ?? err.message) === 'bad response' ? `it sent a 100 Continue before its answer, unasked, which regmirror's HTTP/1.1 client cannot read (UND_ERR_SOCKET: bad response): a proxy in front of ${host} adds it; turn that off there (over HTTP/2 it is read fine)`
    // Garbage for a status line, a Content-Length sent twice, chunks framed wrong: every attempt
    // (each on a fresh connection) came so, which no registry does and a broken proxy does.
    : e instanceof errors.HTTPParserError ? `its answers were not valid HTTP/1.1 (${e.message}): a proxy in front of ${host} garbles them; fix that proxy or reach ${host} without it`
    // Refused or reset after answering earlier connections, and waited for (restart-wait.ts).
    : notBack(e) || notBack(err.cause) ? `it stopped taking connections (${code}) after answering earlier ones of this run, and was not back within ${PROXY_DOWN_MS / 1000} s: it went down or is restarting; check that it runs, then run again (it goes on from what was copied)`
    : code === 'ECONNREFUSED' ? refused(req.url, e)
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `${SAID[code] ?? code}${exemptedNote(req.url)}`
    : (code && SAID[code]) ?? code ?? err.cause?.message ?? err.message ?? String(e);
  // The registry answered; its token service on another origin did not (tokens4 hunt: the line
  // called the registry unreachable and named the realm only in its URL).
  const message = cert.realm && cert.realm === req.url.origin
    ? `${host}: its token service ${cert.realm} is unreachable: ${req.method} ${displayUrl(req.url)}: ${why}`
    : `${host} unreachable: ${req.method} ${displayUrl(req.url)}: ${why}`;
  if (cert.downgraded) return new MisplacedLocationError(host, `${message}${downgraded(host, req.url)}`);
  if (cert.reachedPort && code === 'ECONNREFUSED' && isUpload(req.url)) return new MisplacedLocationError(host, `${message}${otherPort(host, req.url, cert.reachedPort)}`);
  if (cert.host === host) return new UnreachableError(host, message);
  // A name that does not resolve (a front end's internal one) or where nothing listens: every session is placed there.
  if ((code === 'ENOTFOUND' || code === 'ECONNREFUSED') && isUpload(req.url)) return new MisplacedLocationError(host, `${message}${elsewhere(host, req.url)}`);
  return new UnreachableError(host, `${message}${elsewhere(host, req.url)}`);
}

/**
 * An HTTP/2 stream ended with an error code (RST_STREAM, or one nghttp2 raised on a malformed
 * answer): the code was left out and the line read a bare ERR_HTTP2_STREAM_ERROR, alike for a
 * front end asking to slow down and for an answer whose Content-Length disagreed with its data.
 */
function streamReset(host: string, message: string): string {
  const rst = /NGHTTP2_\w+/.exec(message)?.[0];
  if (rst === 'NGHTTP2_ENHANCE_YOUR_CALM') return `it reset the HTTP/2 stream with ENHANCE_YOUR_CALM (ERR_HTTP2_STREAM_ERROR), asking for fewer requests at once: lower \`concurrency\` or set \`rateLimit\` under registries: ${host}`;
  if (rst === 'NGHTTP2_PROTOCOL_ERROR') return `its HTTP/2 answer broke the protocol (ERR_HTTP2_STREAM_ERROR, NGHTTP2_PROTOCOL_ERROR; e.g. a Content-Length that disagrees with the data sent): a proxy in front of it may mishandle HTTP/2; \`http2: false\` under registries: ${host} goes around it if so`;
  return `the HTTP/2 stream was reset (ERR_HTTP2_STREAM_ERROR${rst ? `, ${rst}` : ''})`;
}

/**
 * A refused connection to a host name says the addresses the name led to: `localhost` may be
 * 127.0.0.1 only (or ::1 first) while the registry listens on the other family alone, and "that
 * address" would not show it.
 */
function refused(url: URL, e: unknown): string {
  const err = e as { address?: string; port?: number; errors?: unknown[]; cause?: unknown };
  const named = (x: unknown) => {
    const a = x as { address?: string; port?: number } | undefined;
    return a?.address ? `${isIP(a.address) === 6 ? `[${a.address}]` : a.address}${a.port ? `:${a.port}` : ''}` : undefined;
  };
  const tried = [...new Set([err, err.cause, ...(err.errors ?? []), ...((err.cause as { errors?: unknown[] } | undefined)?.errors ?? [])].map(named).filter((a): a is string => a !== undefined))];
  if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0 || tried.length === 0) return SAID.ECONNREFUSED!;
  return `nothing accepts connections at ${tried.join(' or ')}, where ${url.hostname} led (ECONNREFUSED)`;
}

/**
 * A location on plain http:// given by a registry reached over https://: most often a proxy that
 * ends TLS in front of it without telling it so, so the registry names its own scheme.
 */
export function downgraded(host: string, url: URL): string {
  const what = isUpload(url) ? 'upload location' : 'location';
  return `; that is the ${what} ${host} gave, on plain http:// although ${host} is reached over https://: a proxy that ends TLS in front of ${host} must say so (nginx: proxy_set_header X-Forwarded-Proto $scheme; HAProxy: http-request set-header X-Forwarded-Proto https if { ssl_fc })`;
}

/**
 * An upload location on the registry's own name but another port, refused: most often a proxy in
 * front of it that passes the name without the port (nginx's $host), so the registry names the
 * scheme's default port. Every session is placed so: said once, not tried again.
 */
function otherPort(host: string, url: URL, reached: string): string {
  return `; that is the upload location ${host} gave, on port ${portOf(url)} although ${host} is reached on port ${reached}: a proxy in front of ${host} must pass the Host header on with its port (nginx: proxy_set_header Host $http_host, not $host)`;
}

/**
 * An upload session the registry placed on an origin that is not its own (`cert` named another
 * entry): most often a proxy in front of it that does not pass the Host header on, so the registry
 * names its own address.
 */
export function elsewhere(host: string, url: URL): string {
  if (!isUpload(url)) return '';
  return `; that is the upload location ${host} gave, on another host: a proxy in front of ${host} must pass the Host header on (nginx: proxy_set_header Host $http_host)`;
}

/** Whether a URL is an upload session's (a Location the registry gave for a blob upload). */
export function isUpload(url: URL): boolean {
  return url.pathname.includes('/blobs/uploads/');
}
