// The bottom of the stack: wait for a lane slot, send one request with undici (no redirects,
// no retries), count it, and log it for -v. The slot is held until the response body is done.
// What it needs from its host is send-context.ts's; what it does to an answer's body, answer-body.ts's.
import { watchBody } from './unanswered.js';
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { errors, request } from './undici.js';
import { AbortedError } from '../../types/errors.js';
import { dueLease, renewHeld } from './slot.js';
import { ANSWER_TIMEOUT_MS, H2_STREAM_WINDOW, headersTimeoutFor, isBulky } from './pool-limits.js';
import { proxyRefused } from './proxy-answers.js';
import { spokeH2 } from './alpn.js';
import { malformedHead } from './framing.js';
import { tailFlowing } from './tail-flowing.js';
import { tlsFailure } from './tls-errors.js';
import { GoawayCounter } from './goaway.js';
import { pipelines } from './pipelining.js';
import { bodiesMovedLine, bodyStalled, hasBody, headersDeadline } from './h2-bodies.js';
import { contentLength, displayUrl, isReplayable, type HttpRequest, type HttpResponse, type Send } from './types.js';
import { ignore, undoCoding } from './answer-body.js';
import type { SendContext } from './send-context.js';

/** Builds the layer that actually talks HTTP. */
export function createSend(ctx: SendContext): Send {
  // Set once a response came malformed: from then on a HEAD closes its connection (undici's own
  // default), so a middlebox that sends bodies after HEAD answers cannot poison the next request.
  let closeAfterHead = false;
  // An HTTP/2 session ended under requests in flight (goaway.ts).
  const goaways = new GoawayCounter();
  // Set once the host refused HTTP/1.1 by ALPN (it speaks only HTTP/2): the reads that prefer
  // HTTP/1.1 (slowReader: large blobs, the gateway's streams) go over HTTP/2 from then on, as they
  // did before they preferred it, rather than fail (tls-errors.ts: 'h2-only').
  let h2Only = false;
  // Set once the host's HTTP/2 broke before its first answer (goaway.ts): said once.
  let h2Broken = false;
  // Set once a request body sent over the host's HTTP/2 never reached the registry (h2-bodies.ts).
  let bodiesH1 = false;
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    // A token fetch takes no slot (slot.ts), only its turn under the host's rateLimit.
    let release = ignore;
    if (req.unqueued) await ctx.lanes.pace(req.signal);
    else release = await ctx.lanes.acquire(req.lane ?? 'small', req.signal, req.priority);
    const due = dueLease(req);
    const authorization = due ? await renewHeld(due, release) : undefined;
    const started = Date.now();
    const bulky = isBulky(req.body);
    ctx.stats.requests++;
    ctx.stats.byMethod[req.method] = (ctx.stats.byMethod[req.method] ?? 0) + 1;
    // The host's pool that may speak HTTP/2 and its HTTP/1.1 one: one pool over plain http or
    // with http2: false, where nothing is HTTP/2.
    const any = ctx.dispatcherFor(req.url, false);
    const h1 = ctx.dispatcherFor(req.url, true);
    const slow = req.slowReader === true && !h2Only;
    const withBody = hasBody(req.body);
    // Blob transfers over HTTP/1.1 keep connections of their own, one request at a time: the small
    // requests pipelined on the others (pipelining.ts) never wait behind a layer's bytes. Over
    // HTTP/2 their streams share the host's sessions (as skopeo's do), large reads excepted (slow).
    const transfer = req.lane === 'download' || req.lane === 'upload';
    const apart = transfer && !h2Only && !spokeH2(req.url);
    const dispatcher = bulky || goaways.h1Only || slow || apart || (bodiesH1 && withBody) ? h1 : any;
    // On HTTP/1.1 only because of what it is, where the host's other requests may take HTTP/2.
    const h1ByChoice = (slow || apart) && !bulky && !goaways.h1Only && h1 !== any;
    const mayBeH2 = req.url.protocol === 'https:' && dispatcher !== h1;
    const deadline = mayBeH2 && withBody ? headersDeadline(ctx.answerTimeoutMs ?? ANSWER_TIMEOUT_MS) : undefined;
    const signal = deadline ? (req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal) : req.signal;
    const answered = ctx.unanswered?.sent(req.url.host, req.body);
    try {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: { 'user-agent': ctx.userAgent, 'accept-encoding': 'identity', ...req.headers, ...(authorization && { authorization }) },
        body: req.body,
        signal,
        dispatcher,
        ...pipelines(!transfer, isReplayable(req), req.method, req.url),
        headersTimeout: headersTimeoutFor(bulky),
        // undici closes the socket after a HEAD unless told otherwise; keep it for the next request.
        reset: req.method === 'HEAD' && closeAfterHead,
      });
      deadline?.clear();
      answered?.();
      if (ctx.logger.verbose !== false) ctx.logger.debug(`${req.method} ${displayUrl(req.url)} ${res.statusCode} ${Date.now() - started}ms`);
      if (mayBeH2) goaways.answer();
      if (mayBeH2 && withBody && bodyStalled(res.statusCode) && spokeH2(req.url)) moveBodies(req, `${res.statusCode} ${STATUS_CODES[res.statusCode]}`);
      // A 407, or a page the proxy made, comes from the proxy a plain-http request was forwarded to (proxy-forward.ts), not the registry.
      const refused = proxyRefused(req.url, res.statusCode, res.headers);
      if (refused) {
        res.body.on('error', ignore).destroy();
        throw refused;
      }
      // undici's bodies destroy themselves once read, failed or thrown away: 'close' always comes.
      // A body thrown away (discard) errors as it is destroyed; whoever reads one hears its errors,
      // and this listener keeps one nobody reads from ending the process (as finished() did).
      res.body.once('close', release).on('error', ignore);
      if (req.method === 'HEAD') res.body.resume();
      const answer: HttpResponse = { status: res.statusCode, headers: res.headers, body: res.body, url: req.url };
      // A large answer read at its reader's pace, its last bytes always flowing (tail-flowing.ts).
      if (req.method !== 'HEAD') answer.body = tailFlowing(res.body, contentLength(answer), mayBeH2 ? H2_STREAM_WINDOW : 0).on('error', ignore);
      // A large body (tailFlowing's own stream) is watched for bytes that stop coming, for the progress
      // line (unanswered.ts): a second 'data' listener, which neither starts nor resumes the flow.
      if (answer.body !== res.body && ctx.unanswered) watchBody(ctx.unanswered, req.url.host, res.body, answer.body);
      return undoCoding(answer, req, ctx.logger);
    } catch (e) {
      deadline?.clear();
      answered?.();
      release();
      ctx.logger.debug(`${req.method} ${displayUrl(req.url)} failed after ${Date.now() - started}ms${e instanceof Error ? `: ${e.message}` : ''}`);
      if (e instanceof errors.HTTPParserError && !closeAfterHead) {
        closeAfterHead = true;
        ctx.logger.debug(`${displayUrl(req.url)}: malformed response (${e.message}); connections now close after each HEAD`);
      }
      const goaway = goaways.failed(e, isReplayable(req) && !req.signal?.aborted);
      if (goaway === 'h1') ctx.logger.debug(`${req.url.host}: its HTTP/2 connections ended under requests in flight (GOAWAY) ${goaways.describe()}; HTTP/1.1 from now on`);
      if (goaway === 'h1-resend') {
        if (!h2Broken) ctx.logger.warn(`${req.url.host} offered HTTP/2 by ALPN but broke it before its first answer (ERR_HTTP2_ERROR; HAProxy does with tune.bufsize under 16384): HTTP/1.1 from now on; \`http2: false\` under registries: ${req.url.host} says so at the start`);
        h2Broken = true;
        return send(req);
      }
      if (goaway === 'refused') {
        ctx.logger.debug(`${req.url.host}: it refused the stream of ${req.method} ${displayUrl(req.url)} unprocessed (REFUSED_STREAM), as after ending its connection; sent again`);
        return send(req);
      }
      if (goaway === 'resend') {
        ctx.renew?.(dispatcher);
        ctx.logger.debug(`${req.url.host}: its HTTP/2 connection ended (GOAWAY NO_ERROR, as after keepalive_requests); ${req.method} ${displayUrl(req.url)} sent again on a new one`);
        return send(req);
      }
      if (req.signal?.aborted) throw new AbortedError('aborted');
      if (mayBeH2 && withBody && bodyStalled(e) && spokeH2(req.url)) moveBodies(req, `no headers within ${Math.round((Date.now() - started) / 1000)} s`);
      if (h1ByChoice && tlsFailure(e)?.problem === 'h2-only') {
        if (!h2Only) ctx.logger.debug(`${req.url.host}: it speaks only HTTP/2 (ALPN); large reads go over HTTP/2`);
        h2Only = true;
        return send(req);
      }
      throw malformedHead(e) ?? e;
    }
  };
  const moveBodies = (req: HttpRequest, what: string) => {
    if (!bodiesH1) ctx.logger.warn(bodiesMovedLine(req.url.host, req.method, what));
    bodiesH1 = true;
  };
  return send;
}
