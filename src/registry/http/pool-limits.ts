// What a host's pools hold their requests to: the largest body sent over HTTP/2, how long an
// answer or a connection may take, how much a registry may send on a stream before it is read.
// Apart from the pools (pool.ts), as the request path (send.ts) asks these of every request.
import type { Dispatcher } from 'undici';

/**
 * The largest request body sent over HTTP/2: one stream's initial flow-control window, so the
 * body leaves in one go. A body that is a stream, or larger, can still be queued when its request
 * is aborted (a source read that failed mid-upload, a timeout), and undici's HTTP/2 on Node 20 then
 * either spins forever sending empty DATA frames for the destroyed stream (measured: 14 GB of
 * memory in a minute, then std::bad_alloc) or throws ERR_HTTP2_STREAM_ERROR where nothing can
 * catch it. Such uploads go over HTTP/1.1 connections to the same registry instead.
 */
export const HTTP2_BODY_MAX = 64 * 1024;

/**
 * How long a request may wait for its answer's headers, and an answer between two chunks of its
 * body: a registry that accepted the connection and went silent fails the attempt after a minute
 * (retried like a reset), where undici's default waits five. Uploads keep five minutes for their
 * headers: a registry may take that long to finish a large blob after its last byte.
 */
export const ANSWER_TIMEOUT_MS = 60_000;
const UPLOAD_ANSWER_TIMEOUT_MS = 300_000;

/** The headers timeout of one request, when not the pool's: five minutes for a bulky upload. */
export function headersTimeoutFor(bulky: boolean): number | undefined {
  return bulky ? UPLOAD_ANSWER_TIMEOUT_MS : undefined;
}

/** A request body's length in bytes (0 for none), or undefined for a stream or an iterable, whose length is not known up front. */
export function bodyBytes(body: Dispatcher.DispatchOptions['body']): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/** Whether a request body must stay off HTTP/2 (see HTTP2_BODY_MAX). */
export function isBulky(body: Dispatcher.DispatchOptions['body']): boolean {
  const bytes = bodyBytes(body);
  return bytes === undefined || bytes > HTTP2_BODY_MAX;
}

/** undici's own connect timeout (its `connect.timeout` default). */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * HTTP/2 flow-control windows: how much a registry may send before regmirror says it read it. A
 * stream carries about half its window per round trip (the update goes out at half), and all of a
 * connection's streams together the connection's: with undici's defaults (256 KiB, 512 KiB) one
 * 100 MiB layer from a TLS registry 20 ms away took 18.0 s over HTTP/2 against 1.66 s over
 * HTTP/1.1, whose TCP windows grow (bench/http2.mjs, BENCH_DELAY_MS=20); 4 MiB a stream (Go's,
 * skopeo's) 2.76 s, 8 MiB 2.01 s. A reader that is behind stops its stream's window, so a paused
 * download holds at most 8 MiB, and a connection's paused downloads together 32 MiB.
 */
export const H2_WINDOWS = { initialWindowSize: 8 * 1024 * 1024, connectionWindowSize: 32 * 1024 * 1024 };

/** How much a registry may send on one HTTP/2 stream before regmirror reads it (tail-flowing.ts). */
export const H2_STREAM_WINDOW = H2_WINDOWS.initialWindowSize;
