// What a front end's own page says in a registry's place. Registries answer errors in JSON, so an
// HTML page is nginx, HAProxy, Apache, a load balancer or a login portal speaking for them: the
// line names it by its title or words, and says what it means where that is known (the registry
// behind it down, request headers over the front's limit), so that it says what to do at 3 a.m.
import { STATUS_CODES } from 'node:http';
import { UnsupportedError } from '../../types/errors.js';

/** An error answer's status, described: with `page` (its HTML body, when it is one), what that page means. */
export function describeAnswer(status: number, page: string | undefined): string {
  const title = page !== undefined ? htmlTitle(page) : undefined;
  const down = page !== undefined ? DOWN_BEHIND[status] : undefined;
  // HAProxy's pages have no title: what its 503 and 504 say is in their text.
  const words = page !== undefined && down && !title ? pageWords(page, status) : undefined;
  const advice = headersTooLarge(status, title, page ?? '') ? HEADERS_TOO_LARGE : down ?? '';
  return describeStatus(status, page !== undefined, title, words) + advice;
}

/** What a run (sync, verify) is told to do about a registry that is down: nothing but run again. The gateway fails over by itself instead (serve/backends.ts). */
export const RERUN = '; rerun once it answers';

/**
 * A front end's own page for the registry behind it being down (outage hunt: a real nginx and
 * HAProxy with the registry stopped or hung): the line said what answered, not that the registry
 * is down and that there is nothing to change but to run again once it is back.
 */
const UNREACHED_BEHIND = `: it could not reach the registry behind it, which is down${RERUN}`;
const DOWN_BEHIND: Record<number, string> = {
  502: UNREACHED_BEHIND,
  503: UNREACHED_BEHIND,
  504: `: the registry behind it did not answer within the front end's timeout (nginx proxy_read_timeout, HAProxy timeout server), so it is down or overloaded${RERUN}`,
};

/** An untitled page's text, less a heading that repeats its status ("No server is available to handle this request."). */
function pageWords(page: string, status: number): string | undefined {
  const text = page.replace(/<h1[^>]*>\s*\d{3}\b[^<]*<\/h1>/i, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text && !text.startsWith(String(status)) ? text.slice(0, 120) : undefined;
}

/**
 * A front end refused the request's headers: nginx's 400 "Request Header Or Cookie Too Large"
 * (large_client_header_buffers), HAProxy's 400 page "Your browser sent an invalid request" (its
 * answer to a request that does not fit tune.bufsize less tune.maxrewrite: regmirror's requests are
 * otherwise well formed), Apache's 400 "Bad Request" page that says "Size of a request header field
 * exceeds server limit" (LimitRequestFieldSize; its HTTP/2 answers 431), any front's 431.
 * regmirror's largest header is its Authorization, a token for one repository (two for a mount)
 * already, so only the front's limit can change.
 */
function headersTooLarge(status: number, title: string | undefined, page: string): boolean {
  return status === 431 || (status === 400 && (/header.*too large/i.test(title ?? '') || /your browser sent an invalid request|size of a request header field exceeds server limit/i.test(page)));
}

/** The settings that bound request headers in the front ends registries run behind: said wherever one refused them (native or skopeo's requests). */
export const FRONT_HEADER_LIMITS = 'nginx: large_client_header_buffers 4 16k, its default 4 8k; HAProxy: tune.bufsize, its default 16384, holds the headers less tune.maxrewrite; Apache: LimitRequestFieldSize 16380, its default 8190';

const HEADERS_TOO_LARGE = `: its request headers are larger than that front end allows, the largest being the Authorization header, a token for this repository alone; raise the front end's limit (${FRONT_HEADER_LIMITS})`;

/**
 * "502 Bad Gateway", plus a word on an HTML body: registries answer errors in JSON, so an HTML
 * page is a proxy, load balancer or login page speaking for them (what to look at at 3 a.m.),
 * named by its title, or by its `words` when it has none.
 */
export function describeStatus(status: number, html = false, title?: string, words?: string): string {
  const reason = STATUS_CODES[status];
  const described = reason ? `${status} ${reason}` : String(status);
  // A title that only repeats the status ("502", "502 Bad Gateway", nginx's "504 Gateway Time-out") adds nothing.
  const letters = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const titled = title && !letters(described).startsWith(letters(title)) ? ` titled ${JSON.stringify(title)}` : words ? ` saying ${JSON.stringify(words)}` : '';
  return html ? `${described}, an HTML page${titled} (a proxy or load balancer in front of the registry answered)` : described;
}

/**
 * An HTML page's <title>, on one line and cut to 120 characters: what a front end's error page
 * says it is ("400 Request Header Or Cookie Too Large"), where its status alone says little.
 */
export function htmlTitle(page: string): string | undefined {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(page)?.[1]?.replace(/\s+/g, ' ').trim();
  return title ? title.slice(0, 120) : undefined;
}

/**
 * A 200 that is an HTML page, not the manifest or blob asked for: a front end answering in the
 * registry's place (a maintenance page, a login portal, a proxy's error page sent as 200).
 */
export class PageInsteadOfAnswerError extends UnsupportedError {}

/** True when a Content-Type says an HTML page (a login portal's, a proxy's), which no registry answer is. */
export function isHtmlType(contentType: string | undefined): boolean {
  return /^\s*text\/html\b/i.test(contentType ?? '');
}

/** True when a body is an HTML page rather than JSON (its first non-blank character is `<`). */
export function isHtml(body: string | Uint8Array): boolean {
  // Every manifest read is checked: look at the bytes as they are, without decoding them.
  for (let i = 0; i < body.length; i++) {
    const c = typeof body === 'string' ? body.charCodeAt(i) : body[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c === 0x3c;
  }
  return false;
}
