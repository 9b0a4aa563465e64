// An endpoint written with a path (`--endpoint quay.io=https://mirror:5000/jetstack`, the namespace
// put in the URL): every request went under that path, the tag list's 404 (no registry there to say
// NAME_UNKNOWN) read "has no tags (does the repository exist?)" and plan exited 0 (newuser2 hunt).
// A path is kept as a prefix, as a registry behind a front end may live under one; a bare 404 there
// asks whether anything answers as a registry under it, and whether one answers at the root.
import { UnreachableError } from '../types/errors.js';
import { discard } from './http/body.js';
import { apiUrl } from './http/scheme.js';
import { displayUrl, header } from './http/types.js';
import type { RepoContext } from './repo-context.js';

/**
 * Why a first tag-list page answered a bare 404 (no NAME_UNKNOWN) at a host reached through an
 * endpoint with a path: nothing there answers /v2/ as a registry. Undefined when the host has no
 * such path, or its /v2/ answers (then the repository is what is missing).
 */
export async function endpointPathMiss(repo: RepoContext, signal?: AbortSignal): Promise<UnreachableError | undefined> {
  const { base, host } = repo.host;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (prefix === '') return undefined;
  const prefixed = apiUrl(base, '');
  if (await answersAsRegistry(repo, prefixed, signal)) return undefined;
  const root = apiUrl(new URL(base.origin), '');
  const atRoot = await answersAsRegistry(repo, root, signal);
  const where = repo.host.options.endpoint ? `${base.origin}${prefix} (--endpoint)` : `${base.origin}${prefix} under registries: ${host}`;
  const fix = atRoot
    ? `while ${displayUrl(root)} does: make the endpoint ${base.origin} (a registry serves /v2/ at its root; the namespace belongs in the image's name, ${host}/${repo.path})`
    : `nor at ${displayUrl(root)}: check that the endpoint names the registry's address`;
  return new UnreachableError(host, `${host}: nothing answers as a registry under its endpoint ${where} (GET ${displayUrl(prefixed)}: 404), ${fix}`);
}

// A registry's /v2/ answers 200, or 401 asking for credentials with a challenge.
async function answersAsRegistry(repo: RepoContext, url: URL, signal?: AbortSignal): Promise<boolean> {
  const res = await repo.host.send({ method: 'GET', url, scopes: [], signal }).catch(() => undefined);
  if (!res) return false;
  discard(res.body, header(res, 'content-length'));
  return res.status === 200 || (res.status === 401 && !!header(res, 'www-authenticate'));
}
