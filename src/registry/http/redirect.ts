// Follows redirects by hand (undici gets no maxRedirections), so that a hop to another origin
// (a CDN, an object store's signed URL) never carries the registry's Authorization header, a
// HEAD never goes there, and an expired signed URL is replaced by asking the registry again.
import { RegistryResponseError } from '../../types/errors.js';
import { discard } from './body.js';
import { displayUrl, header, isReplayable, type HttpRequest, type HttpResponse, type Send } from './types.js';

/** Hops we follow before giving up. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** Headers that carry credentials; they stay with the origin they were meant for. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** True when a hop from `from` to `to` must drop credentials: any change of scheme, host or port. */
export function mustStripCredentials(from: URL, to: URL): boolean {
  return from.origin !== to.origin;
}

/** The headers for the next hop. */
export function headersForHop(headers: Record<string, string> | undefined, from: URL, to: URL): Record<string, string> {
  const out: Record<string, string> = {};
  const strip = mustStripCredentials(from, to);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (strip && CREDENTIAL_HEADERS.includes(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}

/** The redirect layer; `onRefresh` is told when a refused redirect target is asked for again (for -v). */
export function withRedirects(next: Send, onRefresh?: (req: HttpRequest, refused: HttpResponse) => void): Send {
  return async (req: HttpRequest) => {
    // Nearly every answer is no redirect: it is looked at here, without a frame of follow's for it.
    const first = await next(req);
    const res = followed(first, req) ? await follow(next, req, first) : first;
    if (!refusedAbroad(req, res)) return res;
    onRefresh?.(req, res);
    // A presigned object-store URL expires (403 "Request has expired", or 400): the registry
    // hands out a fresh one for one more GET; the old URL is never tried again.
    discard(res.body, header(res, 'content-length'));
    return follow(next, req);
  };
}

/** A GET that the registry sent to another origin, refused there (400/403). */
export function refusedAbroad(req: HttpRequest, res: HttpResponse): boolean {
  return req.method === 'GET' && (res.status === 400 || res.status === 403) && res.url.origin !== req.url.origin;
}

/** Whether `res`, the answer to `req`, is a redirect this layer follows. */
function followed(res: HttpResponse, req: HttpRequest): boolean {
  return REDIRECT_STATUS.has(res.status) && !req.keepRedirects && !req.probe && !!header(res, 'location');
}

/** `req` sent (or its `first` answer, already in) and its redirects followed. */
async function follow(next: Send, req: HttpRequest, first?: HttpResponse): Promise<HttpResponse> {
  let current = req;
  for (let hop = 0; ; hop++) {
    const res = hop === 0 && first ? first : await next(current);
    if (!followed(res, current)) return res;
    const location = header(res, 'location')!;
    const to = new URL(location, current.url);
    // A HEAD sent to an object store is refused (its URLs are signed for GET only): the
    // redirect itself says the registry holds the blob, so it is the answer.
    if (current.method === 'HEAD' && to.origin !== current.url.origin) return res;
    // An upload body cannot follow a 307/308 unless it is bytes; hand the answer back.
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST');
    if (!toGet && !isReplayable(current)) return res;
    discard(res.body, header(res, 'content-length'));
    if (hop >= MAX_REDIRECTS) {
      throw new RegistryResponseError(req.method, displayUrl(req.url), res.status, [{ code: 'TOO_MANY_REDIRECTS', message: `more than ${MAX_REDIRECTS} redirects` }]);
    }
    current = {
      ...current,
      url: to,
      method: toGet ? 'GET' : current.method,
      body: toGet ? undefined : current.body,
      headers: headersForHop(current.headers, current.url, to),
    };
  }
}
