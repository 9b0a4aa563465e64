// The innermost layer: retry transient failures with exponential backoff and full jitter,
// honouring Retry-After (go-containerregistry transport/retry.go). Attempts come from a budget
// shared by one operation, so an operation-level retry around it never multiplies attempts.
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DowngradedLocationError, isLasting, RegmirrorError, UnreachableError } from '../../types/errors.js';
import { tlsError } from './tls-errors.js';
import { errors } from './undici.js';
import { discard } from './body.js';
import { MalformedHead, malformedAnswer } from './framing.js';
import { displayUrl, header, isReplayable, type HttpRequest, type RetryBudget, type Send } from './types.js';

/** Statuses worth asking again. */
export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Longest Retry-After we honour; a registry asking for more is treated as this. */
export const MAX_RETRY_AFTER_MS = 60_000;

const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // HTTP/2: a stream reset (RST_STREAM) or a session ended under it (GOAWAY) is a reset like any other.
  'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_STREAM_CANCEL', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION',
]);

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

/** How a host retries. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxDelayMs: number;
  /** Hears each retry; the error when a connection failure (not an answer) caused it. */
  onRetry?: (e?: unknown) => void;
  /**
   * Whether the host can still be slowed down (throttle.ts, after it saw the 429). A 429 without
   * Retry-After then costs the request no attempt: the host's pace was at fault, not the request,
   * and several jobs sharing one Docker Hub limit refuse a request more often than maxAttempts
   * while the pace settles. At the floor every 429 counts again, so a host that refuses
   * everything still ends the request.
   */
  canSlowDown?: () => boolean;
}

/** Retry-After as milliseconds (delta-seconds or HTTP-date), capped; undefined if absent or unusable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP-date names a weekday and month; bare numbers like "-5" are not dates.
  const at = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

/** Full-jitter exponential backoff for the n-th retry (1-based). */
export function backoff(policy: RetryPolicy, retry: number, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (retry - 1)));
}

/**
 * A connection-level failure (refused, reset, timed out, cut short) that may pass. A malformed
 * response is one too: undici drops the socket it came on (a middlebox that answered HEAD with a
 * body leaves those bytes before the next response), so asking again uses a fresh connection.
 */
export function isTransientNetworkError(e: unknown): boolean {
  if (e instanceof RegmirrorError) return e instanceof UnreachableError && !isLasting(e);
  if (e instanceof errors.HTTPParserError) return true;
  if (isStreamClosed(e)) return true;
  const code = (e as { code?: string; cause?: { code?: string } })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * An HTTP/2 stream the server closed or reset before answering in full: undici says a
 * RST_STREAM(CANCEL or REFUSED_STREAM) before the headers, or a stream ended without them, as an
 * InformationalError (UND_ERR_INFO, "HTTP/2: stream closed before the response was complete"),
 * not as the ERR_HTTP2_STREAM_ERROR of other codes; it is a reset all the same.
 */
function isStreamClosed(e: unknown): e is Error {
  return e instanceof errors.InformationalError && e.message.startsWith('HTTP/2: ');
}

/** A fresh budget for one operation. */
export function newBudget(policy: RetryPolicy): RetryBudget {
  return { remaining: policy.maxAttempts };
}

/** Sleeps for a retry unless the run is aborted. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new AbortedError('aborted');
  }
}

/** The registries: entry a refused certificate belongs to, and whether that entry gives a caFile. */
export interface CertEntry {
  host: string;
  caFile: boolean;
  /** The origin of the host's token service, when the refused certificate is its (realm-tls.ts). */
  realm?: string;
  /** The URL is plain http:// on the host's own name while the host is reached over https:// (a location it gave). */
  downgraded?: boolean;
}

/**
 * The retry layer for `host` (the logical host, named in UnreachableError). `certFor` names the
 * registries: entry a refused certificate belongs to: another origin's own (a redirect target) when given.
 */
export function withRetry(host: string, policy: RetryPolicy, next: Send, certFor?: (url: URL) => CertEntry): Send {
  return async (req: HttpRequest) => {
    const budget = req.budget ?? newBudget(policy);
    const canRetry = () => !req.noRetry && isReplayable(req) && budget.remaining > 0;
    for (let retry = 1; ; retry++) {
      budget.remaining--;
      try {
        const res = await next(req);
        if (res.status === 429 && !req.probe && header(res, 'retry-after') === undefined && policy.canSlowDown?.()) budget.remaining++;
        // A probe's 429 is its answer (ghcr.io's referrers endpoint), not a rate limit to wait out.
        if (!RETRYABLE_STATUS.has(res.status) || !canRetry() || (req.probe && res.status === 429)) return res;
        const wait = parseRetryAfter(header(res, 'retry-after')) ?? backoff(policy, retry);
        discard(res.body, header(res, 'content-length'));
        policy.onRetry?.();
        await pause(wait, req.signal);
      } catch (e) {
        if (e instanceof RegmirrorError && !(e instanceof UnreachableError)) throw e;
        // Framed so by a proxy, it comes the same way on any connection: asking again only waits.
        // Only a head the parser refused for that reason is certain; the masked one is asked again
        // like any answer cut short (a head cut after its Content-Length is masked the same way).
        if (e instanceof MalformedHead && (e.certain || !canRetry())) throw malformedAnswer(host, req.method, req.url, e);
        if (!isTransientNetworkError(e) || !canRetry()) throw unreachable(host, req, e, certFor?.(req.url));
        policy.onRetry?.(e);
        await pause(backoff(policy, retry), req.signal);
      }
    }
  };
}

/** Wraps a connection failure as UnreachableError naming the host and what failed. */
export function unreachable(host: string, req: HttpRequest, e: unknown, cert: CertEntry = { host, caFile: false }): UnreachableError {
  if (e instanceof UnreachableError) return e;
  const tls = tlsError(cert.host, e, cert.caFile, cert.realm);
  if (tls) return tls;
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const why = isStreamClosed(e) ? `it reset the stream before answering in full (${e.message})`
    // A front end that agreed to HTTP/2 by ALPN and then answered otherwise (HTTP/1.1 bytes).
    : code === 'ERR_HTTP2_ERROR' ? `it offered HTTP/2 by ALPN but did not speak it (ERR_HTTP2_ERROR): a proxy in front of it may mishandle HTTP/2; set \`http2: false\` under registries: ${host}`
    : code === 'ERR_HTTP2_STREAM_ERROR' ? streamReset(host, err.message ?? '')
    // undici 7 drops an HTTP/1.1 connection whose answer begins with a 100 Continue it did not
    // ask for ("bad response"), where skopeo reads the answer after it; the line said the
    // registry had closed the connection.
    : code === 'UND_ERR_SOCKET' && (err.cause?.message ?? err.message) === 'bad response' ? `it sent a 100 Continue before its answer, unasked, which regmirror's HTTP/1.1 client cannot read (UND_ERR_SOCKET: bad response): a proxy in front of ${host} adds it; turn that off there (over HTTP/2 it is read fine)`
    : code === 'ECONNREFUSED' ? refused(req.url, e)
    : (code && SAID[code]) ?? code ?? err.cause?.message ?? err.message ?? String(e);
  const message = `${host} unreachable: ${req.method} ${displayUrl(req.url)}: ${why}`;
  if (cert.downgraded) return new DowngradedLocationError(host, `${message}${downgraded(host, req.url)}`);
  return new UnreachableError(host, `${message}${cert.host !== host ? elsewhere(host, req.url) : ''}`);
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
function downgraded(host: string, url: URL): string {
  const what = url.pathname.includes('/blobs/uploads/') ? 'upload location' : 'location';
  return `; that is the ${what} ${host} gave, on plain http:// although ${host} is reached over https://: a proxy that ends TLS in front of ${host} must say so (nginx: proxy_set_header X-Forwarded-Proto $scheme)`;
}

/**
 * An upload session the registry placed on an origin that is not its own (`cert` named another
 * entry): most often a proxy in front of it that does not pass the Host header on, so the registry
 * names its own address.
 */
function elsewhere(host: string, url: URL): string {
  if (!url.pathname.includes('/blobs/uploads/')) return '';
  return `; that is the upload location ${host} gave, on another host: a proxy in front of ${host} must pass the Host header on (nginx: proxy_set_header Host $http_host)`;
}
