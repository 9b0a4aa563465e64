// What the bottom layer (send.ts) does to an answer's body besides counting it: a content coding a
// middlebox added, undone; and an empty body, for layers that answer without the network.
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from '../../ui/log.js';
import { codingToUndo, decode } from './content-coding.js';
import { displayUrl, header, type HttpRequest, type HttpResponse } from './types.js';

/** Does nothing: the listener that keeps a body's error from ending the process. */
export function ignore(): void {}

/**
 * The answer with a content coding a middlebox added undone (content-coding.ts); its
 * Content-Length, which counted the coded bytes, is dropped (a HEAD's too: it is no size).
 */
export function undoCoding(res: HttpResponse, req: HttpRequest, logger: Logger): HttpResponse {
  const coding = codingToUndo(res.status, header(res, 'content-encoding'), header(res, 'content-length'), req.size);
  if (!coding) return res;
  logger.debug(`${req.method} ${displayUrl(req.url)}: answered with Content-Encoding: ${header(res, 'content-encoding')} although regmirror asked for none (a proxy in between?); decoding it`);
  const headers = { ...res.headers };
  delete headers['content-length'];
  delete headers['content-encoding'];
  if (req.method === 'HEAD') return { ...res, headers };
  return { ...res, headers, body: decode(res.body, coding).on('error', ignore) };
}

/** An empty body, for layers that answer without the network. */
export function emptyBody(): Readable {
  const body = new PassThrough();
  body.end();
  return body;
}
