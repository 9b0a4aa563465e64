// Answers framed twice: `Transfer-Encoding: chunked` and a `Content-Length` together, which no
// server may send (RFC 9112 §6.1) and a broken middlebox does (one that re-chunks an answer, often
// after gzipping it, and keeps the upstream's length). RFC 9112 §6.3 says the chunks win, but
// undici's parser refuses the answer's head in either order, and nothing in its public API reads
// it all the same: with the length ahead it even reports the refusal as "not as long as it said"
// (its length check masks the parser's reason), before any header reached regmirror. Such an
// answer comes the same way on every connection: it is said to be the proxy's doing (retry.ts).
import { errors } from './undici.js';
import { MalformedAnswerError } from '../../types/errors.js';
import { displayUrl } from './types.js';

/** An answer whose head undici's parser refused: `certain` when it named both framings as the reason. */
export class MalformedHead extends Error {
  constructor(
    readonly certain: boolean,
    override readonly cause: unknown,
  ) {
    super(`a malformed answer: ${certain ? '' : 'most likely '}both Transfer-Encoding: chunked and Content-Length in its head (${(cause as Error).message})`);
  }
}

/**
 * The refusal of an answer's head as a MalformedHead, for an error undici's request() rejected
 * with (before any header came): its parser's reason (undici gives parser errors no code in 7.x),
 * or the length check that masks it once a Content-Length was read.
 */
export function malformedHead(e: unknown): MalformedHead | undefined {
  if (e instanceof errors.HTTPParserError && e.message.includes("Content-Length can't be present with Transfer-Encoding")) return new MalformedHead(true, e);
  if ((e as { code?: string })?.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return new MalformedHead(false, e);
  return undefined;
}

/** The one line for a MalformedHead answered by `host` to `method url`. */
export function malformedAnswer(host: string, method: string, url: URL, head: MalformedHead): MalformedAnswerError {
  const what = head.certain ? 'came with both' : 'came with a head undici refuses, most likely for both';
  return new MalformedAnswerError(`${host}: ${method} ${displayUrl(url)}: the answer ${what} Transfer-Encoding: chunked and Content-Length, which no registry sends (RFC 9112 §6.1): a proxy in front of ${host} rewrote it; fix that proxy or reach ${host} without it`);
}
