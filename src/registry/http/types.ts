// The request/response shapes the transport layers pass to one another (after
// go-containerregistry's http.RoundTripper chain: each layer is a function of the next).
import type { Readable } from 'node:stream';
import type { Again } from '../../types/again.js';

/** Which queue a request waits in: small requests never queue behind blob transfers. */
export type Lane = 'small' | 'download' | 'upload';

/** Attempts left for one operation, shared by its requests so nested retries never multiply. */
export interface RetryBudget {
  remaining: number;
  /** Requests sent under it: how often a read that spent it was tried (retry.ts triedRead). */
  sent?: number;
}

/**
 * The bearer token the auth layer put on a request, for the send layer to renew when it expired
 * while the request waited for a slot (a backfill's uploads can queue longer than a token lives).
 */
export interface BearerLease {
  /** The origin the token is for: a hop to another origin never gets it. */
  origin: string;
  /** When the token should no longer be sent (TokenCache's expiry, renewal margin included). */
  expiresAt: number;
  /** The Authorization header with a token valid now (the cache's, or a fresh one). */
  renew(): Promise<string>;
}

/** One HTTP exchange as the registry code asks for it. */
export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** Bytes can be replayed; a stream can be sent once only. */
  body?: Uint8Array | Readable;
  /** Token scopes this request needs (`repository:a/b:pull,push`). */
  scopes: string[];
  lane?: Lane;
  signal?: AbortSignal;
  /** Queue position when the host's slots are busy: lower first (CallOptions.priority). */
  priority?: number;
  /** The caller retries the whole operation itself: this request is sent once. */
  noRetry?: boolean;
  /** Sent again by a retry of the whole operation (CallOptions.again): counted as a retry. */
  again?: Again;
  /**
   * A long read whose reader may hold back for long (the gateway's client, a large blob feeding its
   * uploads): over HTTP/1.1, where undici stops the body timeout while the reader does; over HTTP/2
   * flow control stops the registry's bytes and the timeout fires, blaming a healthy registry for a
   * slow client, and each such read held up to its stream window (blobs.ts).
   */
  slowReader?: boolean;
  budget?: RetryBudget;
  /** Sent without credentials (the gateway asks whether a registry serves a blob to anyone). */
  anonymous?: boolean;
  /** A redirect is handed back, not followed (the gateway passes a signed URL on to its client). */
  keepRedirects?: boolean;
  /**
   * Probing whether the registry has a feature (the referrers API): a 3xx or a 429 is its answer,
   * not a redirect to follow or a rate limit to wait out (ghcr.io redirects it to an HTML page).
   */
  probe?: boolean;
  /**
   * The size of what is asked for, when the caller knows it (a blob's descriptor): an answer of
   * exactly that size labelled with a content coding is the content itself (content-coding.ts).
   */
  size?: number;
  /** Set by the auth layer with a bearer Authorization header (BearerLease). */
  lease?: BearerLease;
  /** Sent without waiting for a slot: a token fetch (slot.ts). */
  unqueued?: boolean;
}

/** A response whose body must be read to the end or destroyed (it holds a lane slot). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The URL that answered (after redirects). */
  url: URL;
  /** A read's answer the retry layer stopped asking again (a 503 each time): how often it was sent. */
  tries?: number;
  /** A 429 the retry layer stopped asking again: the host (registries.<host>) whose rate limit it is. */
  limitedHost?: string;
}

/** A transport layer, or the whole stack. */
export type Send = (req: HttpRequest) => Promise<HttpResponse>;

/** A header's first value, case-insensitively (undici lower-cases names). */
export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The answer's Content-Length as a number; undefined when absent or unreadable. */
export function contentLength(res: HttpResponse): number | undefined {
  const value = header(res, 'content-length');
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** True when `body` can be sent again (absent or bytes). */
export function isReplayable(req: HttpRequest): boolean {
  return req.body === undefined || req.body instanceof Uint8Array;
}

/** The URL for messages and -v lines: origin and path, no query (signed URLs carry secrets there). */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
