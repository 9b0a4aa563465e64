// The one place a non-2xx answer becomes an error kind (go-containerregistry transport/error.go):
// 404 → NotFoundError, 401/403 → AuthError, anything else → RegistryResponseError with the
// registry's `errors` list. At most 64 KiB of an error body is read.
import { AuthError, NameUnknownError, NoSuchRepositoryError, NotFoundError, RegistryResponseError, sayErrors, triedOut, type RegistryErrorEntry, type RegmirrorError } from '../../types/errors.js';
import { readPrefix } from './body.js';
import { describeAnswer, describeStatus, isHtml } from './front-pages.js';
import { displayUrl, header, type HttpResponse } from './types.js';

/** Amazon ECR's words for a repository that does not exist (its RepositoryNotFoundException), which it never creates on push. */
const ECR_NO_REPOSITORY = /^The repository with name '[^']*' does not exist in the registry with id '/;

/** How much of an error body we read. */
export const MAX_ERROR_BODY = 64 * 1024;

/** Reads (part of) the body of a failed response and turns it into an error kind. */
export async function responseError(method: string, res: HttpResponse): Promise<RegmirrorError> {
  const text = (await readPrefix(res.body, MAX_ERROR_BODY)).toString('utf8');
  const errors = parseErrors(text);
  const url = displayUrl(res.url);
  const said = sayErrors(errors);
  const suffix = said ? ` (${said})` : '';
  if (res.status === 404 && errors.some((e) => e.code === 'NAME_UNKNOWN' && ECR_NO_REPOSITORY.test(e.message ?? ''))) return new NoSuchRepositoryError(`${method} ${url}: not found${suffix}`);
  if (res.status === 404 && errors.some((e) => e.code === 'NAME_UNKNOWN')) return new NameUnknownError(`${method} ${url}: not found${suffix}`);
  if (res.status === 404) return new NotFoundError(`${method} ${url}: not found${suffix}`);
  if (res.status === 401) return new AuthError(`${method} ${url}: unauthorized${suffix}${res.headers['www-authenticate'] === undefined ? NO_CHALLENGE : ''}`);
  if (res.status === 403) return new AuthError(`${method} ${url}: forbidden${suffix}${forbiddenAdvice(method)}`);
  const page = errors.length === 0 && isHtml(text) ? text : undefined;
  const error = new RegistryResponseError(method, url, res.status, errors, describeAnswer(res.status, page));
  // A read asked until its retries were spent (retry.ts) says how often.
  const tried = res.tries === undefined ? error : triedOut(error, undefined, res.tries);
  if (res.limitedHost !== undefined) tried.message += spentLimit(res.limitedHost, header(res, 'ratelimit-limit'));
  return tried;
}

/**
 * What to do about a 429 that outlasted the slow-down and every retry (backfill5: a Docker Hub-like
 * target refusing every request for 2m40s; each row said the 429 and the registry's own text alone).
 */
export function spentLimit(host: string, stated: string | undefined): string {
  const limit = stated ? ` (ratelimit-limit ${stated})` : '';
  return `: ${host} kept answering 429 while regmirror slowed its requests down and waited${limit}, so its rate limit is spent for now: rerun once it has room again, with credentials where the limit is for anonymous pulls, or with a lower registries.${host}.concurrency`;
}

/**
 * What to do about a 403: the registry knows who is asking and will not let them (a plain 403
 * said nothing more: upload2 hunt, a read-only htpasswd account pushing).
 */
function forbiddenAdvice(method: string): string {
  const write = method !== 'GET' && method !== 'HEAD';
  return `: check that the credentials used there may ${write ? 'push to' : 'pull from'} this repository (the registry's \`credentials\` under registries:, or docker login)`;
}

/**
 * A 401 that names no way to authenticate (no WWW-Authenticate): no client can answer it, and
 * registries always send one, so something in between dropped it or answered in their place.
 */
const NO_CHALLENGE = ', with no WWW-Authenticate header to say how to authenticate (registries send one: a proxy in front of it may drop it, or answer in its place)';

/** Returns `res` when its status is one of `ok`; otherwise throws the matching error kind. */
export async function expectStatus(method: string, res: HttpResponse, ...ok: number[]): Promise<HttpResponse> {
  if (ok.includes(res.status)) return res;
  throw await responseError(method, res);
}

/** The `errors` array of a distribution error body, if it is one. */
export function parseErrors(text: string): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is { code: unknown; message?: unknown; detail?: unknown } => typeof e === 'object' && e !== null)
      .map((e) => {
        const entry: RegistryErrorEntry = { code: String(e.code ?? 'UNKNOWN') };
        if (typeof e.message === 'string') entry.message = e.message;
        if (e.detail !== undefined) entry.detail = e.detail;
        return entry;
      });
  } catch {
    return [];
  }
}

/** True when a registry said `code` in its error list. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof RegistryResponseError && error.errors.some((e) => e.code === code);
}

/** Our error code for an upload start (POST) answered with a success that opens nothing. */
const UPLOAD_NOT_STARTED = 'UPLOAD_NOT_STARTED';

/**
 * A POST to blobs/uploads/ answered 2xx, but neither 201 (mounted) nor 202 (a session): something
 * in front of the registry answered (a login page, an answer cut short). The copier's next whole
 * upload starts a fresh session (copy/upload.ts).
 */
export function uploadNotStarted(url: URL, status: number): RegistryResponseError {
  return new RegistryResponseError('POST', displayUrl(url), status, [{ code: UPLOAD_NOT_STARTED, message: 'an upload start is answered 201 or 202 with a Location; something in front of the registry may have answered' }], describeStatus(status));
}

