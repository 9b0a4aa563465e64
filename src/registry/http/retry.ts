// The innermost layer: retry transient failures with exponential backoff and full jitter,
// honouring Retry-After (go-containerregistry transport/retry.go). Attempts come from a budget
// shared by one operation, so an operation-level retry around it never multiplies attempts.
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, isLasting, RegmirrorError, triedOut, UnreachableError } from '../../types/errors.js';
import { errors } from './undici.js';
import { discard } from './body.js';
import { MalformedHead, malformedAnswer } from './framing.js';
import { header, isReplayable, type HttpRequest, type HttpResponse, type RetryBudget, type Send } from './types.js';
import { isStreamClosed, unreachable, type CertEntry } from './unreachable.js';
import { SilenceRefusal, type Silence } from './silence.js';
import { hasBody } from './h2-bodies.js';

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
  /** What the host's own requests showed of it: once it is silent, they are not retried (silence.ts). */
  silence?: Silence;
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

/** The n-th retry's step (1-based): the base doubled each time, at most maxDelayMs. */
function stepOf(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (retry - 1));
}

/** Full-jitter exponential backoff for the n-th retry (1-based). */
export function backoff(policy: RetryPolicy, retry: number, random = Math.random): number {
  return Math.floor(random() * stepOf(policy, retry));
}

/** A front end's word that the registry behind it is down or slow (a CDN's or load balancer's 502/503/504). */
const BEHIND_DOWN = new Set([502, 503, 504]);

/**
 * The wait before asking again after a 502, 503 or 504: full jitter's range moved up by its own
 * width, so it is never shorter than the step (250 ms, 0.5 s, 1 s, 2 s at the default base).
 * A front end says so for the seconds the registry behind it restarts or fails over; full jitter
 * spent maxAttempts 5 within 0–3.75 s (about 2 s on average), and a CDN answering 502/504 pages
 * for 3 s mid-run failed the tags in flight (issuer2 hunt), where skopeo's --retry-times 3 waits
 * 1 + 2 + 4 s. Now 3.75–7.5 s in all. Other retries (a reset, a 500, a 429) keep full jitter.
 */
export function behindDownBackoff(policy: RetryPolicy, retry: number, random = Math.random): number {
  const step = stepOf(policy, retry);
  return Math.min(policy.maxDelayMs, step + Math.floor(random() * step));
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


/** A fresh budget for one operation. */
export function newBudget(policy: RetryPolicy): RetryBudget {
  return { remaining: policy.maxAttempts };
}

/**
 * How often a read (GET, HEAD) that spent its budget was sent, when more than once: its failure says
 * so. A write's caller says it with what was not pushed (manifest-put.ts, copy/upload.ts), and a
 * failure that was not asked again (a 404, a refused certificate, a silent host) says nothing of tries.
 */
function readTries(method: string, budget: RetryBudget): number | undefined {
  return (method === 'GET' || method === 'HEAD') && budget.remaining <= 0 && (budget.sent ?? 0) > 1 ? budget.sent : undefined;
}

/** `err`, the last failure of a read under `budget`, saying how often it was tried when it spent the budget (readTries). */
export function triedRead<E extends Error>(err: E, method: string, budget: RetryBudget): E {
  const tries = readTries(method, budget);
  return tries === undefined ? err : triedOut(err, undefined, tries);
}

/** Sleeps for a retry unless the run is aborted; cut short when `silence` shows the host silent meanwhile. */
export async function pause(ms: number, signal?: AbortSignal, silence?: Silence): Promise<void> {
  // The same signal as the requests waiting on the host (Silence.waitSignal): its cut is the silence.
  const waiting = silence?.waitSignal(signal);
  try {
    await sleep(ms, undefined, { signal: waiting?.signal ?? signal });
  } catch {
    if (signal?.aborted || !waiting?.cut.aborted) throw new AbortedError('aborted');
  }
}


/**
 * The retry layer for `host` (the logical host, named in UnreachableError). `certFor` names the
 * registries: entry a refused certificate belongs to: another origin's own (a redirect target) when given.
 */
export function withRetry(host: string, policy: RetryPolicy, next: Send, certFor?: (url: URL) => CertEntry): Send {
  return async (req: HttpRequest) => {
    const budget = req.budget ?? newBudget(policy);
    const canRetry = () => !req.noRetry && isReplayable(req) && budget.remaining > 0;
    const silence = policy.silence?.watches(req.url) ? policy.silence : undefined;
    for (let retry = 1; ; retry++) {
      const shown = silence?.refuses(retry > 1);
      if (shown !== undefined) throw unreachable(host, req, shown, certFor?.(req.url));
      const mark = silence?.sent() ?? 0;
      budget.remaining--;
      budget.sent = (budget.sent ?? 0) + 1;
      const waiting = silence ? untilSilent(req, silence) : undefined;
      try {
        const res = await next(waiting?.req ?? req);
        silence?.answered();
        if (res.status === 429 && !req.probe && header(res, 'retry-after') === undefined && policy.canSlowDown?.()) budget.remaining++;
        // A probe's 429 is its answer (ghcr.io's referrers endpoint), not a rate limit to wait out.
        if (!RETRYABLE_STATUS.has(res.status) || (req.probe && res.status === 429)) return res;
        if (!canRetry()) {
          if (res.status === 429 && !req.noRetry) res.limitedHost = host;
          return given(res, readTries(req.method, budget));
        }
        const wait = parseRetryAfter(header(res, 'retry-after')) ?? (BEHIND_DOWN.has(res.status) ? behindDownBackoff : backoff)(policy, retry);
        discard(res.body, header(res, 'content-length'));
        policy.onRetry?.();
        await pause(wait, req.signal, silence);
      } catch (e) {
        if (e instanceof SilenceRefusal) throw unreachable(host, req, e.shown, certFor?.(req.url));
        if (waiting?.cut.aborted && !req.signal?.aborted) throw unreachable(host, req, silence?.refuses(true) ?? e, certFor?.(req.url));
        if (e instanceof RegmirrorError && !(e instanceof UnreachableError)) throw e;
        // The host shown silent (by this attempt or another's): no retry waits for it again.
        const silent = silence?.failed(mark, e, !hasBody(req.body)) ? e : silence?.refuses(true);
        // Framed so by a proxy, it comes the same way on any connection: asking again only waits.
        // Only a head the parser refused for that reason is certain; the masked one is asked again
        // like any answer cut short (a head cut after its Content-Length is masked the same way).
        if (e instanceof MalformedHead && (e.certain || !canRetry())) throw triedRead(malformedAnswer(host, req.method, req.url, e), req.method, budget);
        if (!isTransientNetworkError(e) || !canRetry()) throw triedRead(unreachable(host, req, e, certFor?.(req.url)), req.method, budget);
        if (silent !== undefined) throw unreachable(host, req, silent, certFor?.(req.url));
        policy.onRetry?.(e);
        await pause(backoff(policy, retry), req.signal, silence);
      }
    }
  };
}

/**
 * `req` as sent while it waits for its answer: failed as the host goes silent, with the timeout
 * that showed it, where it waited out an answer timeout of its own (a target SIGSTOPped mid
 * `verify --deep`: the run ended 60 s after the silence was shown, on its HTTP/2 streams in flight).
 * Replayable requests only (an upload's body may be under way), and not the large downloads,
 * whose body streaming in is an answer the host's silence (heads only) does not see: the signal
 * is shared, so it stays on a request after its head came.
 */
function untilSilent(req: HttpRequest, silence: Silence): { req: HttpRequest; cut: AbortSignal } | undefined {
  if (!isReplayable(req) || req.lane === 'download') return undefined;
  const { signal, cut } = silence.waitSignal(req.signal);
  return { req: { ...req, signal }, cut };
}

/** `res` marked with how often it was asked (HttpResponse.tries), for the error it becomes (errors.ts responseError). */
function given(res: HttpResponse, tries: number | undefined): HttpResponse {
  if (tries !== undefined) res.tries = tries;
  return res;
}
