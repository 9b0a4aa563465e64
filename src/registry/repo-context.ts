// What the per-resource files (manifests, blobs, upload, tags, referrers) share about one repository.
import type { HostContext } from './host.js';
import { NameUnknownError, RegistryResponseError, RepositoryMissingError } from '../types/errors.js';
import { apiUrl } from './http/scheme.js';
import { mergeScopes } from './http/challenge.js';
import { displayUrl, header, type HttpResponse } from './http/types.js';

/** The token scope `access` to `path` needs: `repository:<path>:pull` or `…:pull,push`. */
export function repositoryScope(path: string, access: 'pull' | 'push'): string {
  return `repository:${path}:${access === 'push' ? 'pull,push' : 'pull'}`;
}

/** One repository on one host, with the token scopes its access needs. */
export class RepoContext {
  /** `repository:<path>:pull` or `…:pull,push`. */
  readonly scopes: string[];
  private readonly mountScopes = new Map<string, string[]>();

  constructor(
    readonly host: HostContext,
    readonly path: string,
    readonly access: 'pull' | 'push',
  ) {
    this.scopes = [repositoryScope(path, access)];
  }

  /** This repository's scopes plus pull on `fromPath` (a mount's token), merged once per source. */
  scopesWith(fromPath: string): string[] {
    let scopes = this.mountScopes.get(fromPath);
    if (!scopes) this.mountScopes.set(fromPath, (scopes = mergeScopes(this.scopes, [repositoryScope(fromPath, 'pull')])));
    return scopes;
  }

  /** `/v2/<path>/<rest>` on the host's base URL. */
  url(rest: string): URL {
    return apiUrl(this.host.base, `${this.path}/${rest}`);
  }
}

/** The Location of `res` (maybe relative) resolved against the URL that answered. */
export function resolveLocation(method: string, res: HttpResponse): URL {
  const location = header(res, 'location');
  if (!location) throw new RegistryResponseError(method, displayUrl(res.url), res.status, [{ code: 'NO_LOCATION', message: 'the registry sent no Location' }]);
  return new URL(location, res.url);
}

/** `url` with one more query parameter, leaving the registry's own parameters as they were. */
export function withQuery(url: URL, name: string, value: string): URL {
  const sep = url.search ? '&' : '?';
  return new URL(`${url.href}${sep}${name}=${encodeURIComponent(value)}`);
}

/** The media type of a Content-Type value (parameters dropped). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim();
}

/** A write's failure, with NAME_UNKNOWN (ECR: no repository is created on push) said plainly and remembered. */
export function writeFailure(repo: RepoContext, e: unknown): unknown {
  // Where this run's writes landed, or its reads found a tag or blob, the repository exists: that
  // NAME_UNKNOWN is this write's own failure (a glitch), not one to fail every later write there.
  if (!(e instanceof NameUnknownError) || repo.host.presentRepositories.has(repo.path)) return e;
  const missing = new RepositoryMissingError(repo.host.host, repo.path);
  repo.host.missingRepositories.set(repo.path, missing);
  return missing;
}

/**
 * Remembers what a read heard in ECR's words (NoSuchRepositoryError): the repository does not exist
 * and a push creates none, so the writes planned there fail before any request (assertNotMissing).
 */
export function saidMissing(repo: RepoContext): void {
  if (repo.host.presentRepositories.has(repo.path)) return;
  repo.host.missingRepositories.set(repo.path, new RepositoryMissingError(repo.host.host, repo.path));
}

/** Throws, before any request, when a write already found this repository missing. */
export function assertNotMissing(repo: RepoContext): void {
  const missing = repo.host.missingRepositories.get(repo.path);
  if (missing) throw missing;
}

/** Records that the repository exists: a write there succeeded, or a read found something. */
export function present(repo: RepoContext): void {
  repo.host.presentRepositories.add(repo.path);
}
