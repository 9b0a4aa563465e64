// Request bodies an HTTP/2 front end never passes on. HAProxy with tune.h2.initial-window-size 0
// offers h2 by ALPN and answers every bodiless request, but gives a stream no window to send its
// body in: a manifest PUT or a small blob's upload over HTTP/2 waits for HAProxy's timeout server
// (504 after 60 s) or regmirror's own answer timeout, every attempt alike, where its HTTP/1.1 (and
// skopeo, which speaks HTTP/1.1) takes the same request at once. Once a request with a body went
// so over HTTP/2, the host's bodies go over HTTP/1.1, as its large ones always do (pool.ts).
import type { Dispatcher } from 'undici';
import { errors } from './undici.js';
import { failureCode } from './unreachable.js';
import { bodyBytes } from './pool-limits.js';

/** Whether a request carries a body to send (an empty one stalls nothing). */
export function hasBody(body: Dispatcher.DispatchOptions['body']): boolean {
  return bodyBytes(body) !== 0;
}

/** Whether an answer (a status) or a failure of a request with a body sent over HTTP/2 says that body never reached the registry. */
export function bodyStalled(outcome: number | unknown): boolean {
  if (typeof outcome === 'number') return outcome === 504 || outcome === 408;
  return failureCode(outcome) === 'UND_ERR_HEADERS_TIMEOUT';
}

/** The warning said once for the host when its bodies move to HTTP/1.1. */
export function bodiesMovedLine(host: string, method: string, what: string): string {
  return `${host} offered HTTP/2 by ALPN but a ${method} sent over it got no answer from the registry behind it (${what}; HAProxy does with tune.h2.initial-window-size 0): request bodies go over HTTP/1.1 from now on; \`http2: false\` under registries: ${host} says so at the start`;
}

/**
 * A deadline for the headers of a request with a body sent over HTTP/2. undici's headersTimeout is
 * the stream's timeout, which Node renews while any stream of the session sends: a body held back
 * by flow control on a busy session never timed out (HAProxy's timeout server 180 s was the only
 * bound). Aborting such a request is clean, its body a buffer (pool-limits.ts HTTP2_BODY_MAX).
 */
export function headersDeadline(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new errors.HeadersTimeoutError(`HTTP/2: no headers within ${Math.round(ms / 1000)} s, the request body held back`)), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
