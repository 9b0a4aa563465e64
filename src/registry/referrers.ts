// OCI 1.1 referrers API (distribution spec "Listing referrers"). A registry without it answers
// 404/400/405/501, or (ghcr.io) a redirect to an HTML page, a 429, or a 200 that is not an index;
// a front end may hide it (HAProxy `http-request deny if { path_reg /referrers/ }`: a 403 HTML
// page, where the registry's own 403 is JSON); we then say undefined (the copier uses the fallback tag) and stop asking that host.
import type { CallOptions } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { RegistryResponseError } from '../types/errors.js';
import { OCI_INDEX } from '../types/mediatype.js';
import { readCapped, readPrefix } from './http/body.js';
import { MAX_ERROR_BODY, parseErrors, responseError } from './http/errors.js';
import { isHtmlType } from './http/front-pages.js';
import { displayUrl, header, type HttpResponse } from './http/types.js';
import { nextPage } from './link.js';
import { mediaTypeOf, type RepoContext } from './repo-context.js';

const UNSUPPORTED = new Set([404, 400, 405, 429, 501, 300, 301, 302, 303, 307, 308]);
const MAX_INDEX_BYTES = 4 * 1024 * 1024;

/**
 * Referrers of `subject`, all pages, or undefined when the host has no referrers API. Until the
 * host has shown whether it has the API, one listing at a time asks: the many tags of a run list
 * their referrers at once, and a host without the API should be asked once, not once per tag.
 */
export async function listReferrers(repo: RepoContext, subject: Descriptor, opts: CallOptions = {}): Promise<Descriptor[] | undefined> {
  const { host } = repo;
  while (host.referrersProbe) await host.referrersProbe;
  if (host.referrersUnsupported) return undefined;
  if (host.referrersAnswered) return listPages(repo, subject, opts);
  const probe = listPages(repo, subject, opts);
  host.referrersProbe = probe.then(
    () => void (host.referrersProbe = undefined),
    () => void (host.referrersProbe = undefined),
  );
  return probe;
}

async function listPages(repo: RepoContext, subject: Descriptor, opts: CallOptions): Promise<Descriptor[] | undefined> {
  const out: Descriptor[] = [];
  const listed = new Set<string>();
  let url: URL | undefined = repo.url(`referrers/${subject.digest}`);
  const seen = new Set<string>();
  while (url) {
    seen.add(url.href);
    // A probe: the redirect is not followed and a 429 is not waited out (both mean "no API").
    // Once the host has answered with an index it has the API: a 429 then is a rate limit to wait
    // out, as is one that says so (Docker Hub's ratelimit-* fields), never "no API".
    const answered = repo.host.referrersAnswered === true;
    const send = (probe: boolean) => repo.host.send({ method: 'GET', url: url!, scopes: repo.scopes, headers: { accept: OCI_INDEX }, signal: opts.signal, priority: opts.priority, probe });
    let res = await send(out.length === 0 && !answered);
    if (res.status === 429 && out.length === 0 && !answered && rateLimited(res)) {
      await readPrefix(res.body, MAX_ERROR_BODY);
      res = await send(false);
    }
    const isIndex = mediaTypeOf(header(res, 'content-type')) === OCI_INDEX;
    if (res.status !== 200 || !isIndex) {
      const hidden = res.status === 403 && !answered && isHtmlType(header(res, 'content-type'));
      if (out.length > 0 || !(UNSUPPORTED.has(res.status) || res.status === 200 || hidden)) throw await responseError('GET', res);
      if (res.status === 429 && (answered || rateLimited(res))) throw await responseError('GET', res);
      const said = parseErrors((await readPrefix(res.body, MAX_ERROR_BODY)).toString('utf8'));
      // A repository that does not exist says nothing about the host's API.
      if (!said.some((e) => e.code === 'NAME_UNKNOWN')) {
        repo.host.referrersUnsupported = true;
        if (hidden) repo.host.options.logger.warn(`${repo.host.host}: a proxy or load balancer in front of it refuses the referrers API (GET ${displayUrl(url)}: 403 Forbidden, an HTML page): referrers are read and written as sha256-HEX fallback tags only, so signatures and SBOMs that only the referrers API lists are not seen; have it let /v2/…/referrers/ through`);
        else repo.host.options.logger.debug(`${repo.host.host}: no referrers API (GET ${displayUrl(url)} answered ${res.status} ${mediaTypeOf(header(res, 'content-type')) || 'without a type'}): using the sha256-HEX fallback tags`);
      }
      return undefined;
    }
    const fresh = parseIndex(await readCapped(res.body, MAX_INDEX_BYTES, `referrers of ${subject.digest}`), url).filter((d) => !listed.has(d.digest) && listed.add(d.digest));
    out.push(...fresh);
    repo.host.referrersAnswered = true;
    url = nextPage(header(res, 'link'), res.url, repo.host.base.origin, seen);
    // Pages that go round in circles (a cursor that wrapped around, fresh each time) never end:
    // a page after the first that lists no new referrer is the last one read.
    if (url && seen.size > 1 && fresh.length === 0) {
      url = undefined;
      repo.host.options.logger.warn(`${repo.host.host}/${repo.path}: the referrers of ${subject.digest.slice(0, 19)}… go round in circles (a page listed no referrer not listed already): paging stopped at ${out.length} referrers, so others after those may be missing; the registry's referrers paging is at fault`);
    }
  }
  return out;
}

/** A 429 that states a rate limit (Docker Hub's `ratelimit-limit`/`ratelimit-remaining`), not ghcr.io's bare "no API". */
function rateLimited(res: HttpResponse): boolean {
  return header(res, 'ratelimit-limit') !== undefined || header(res, 'ratelimit-remaining') !== undefined;
}

function parseIndex(bytes: Buffer, url: URL): Descriptor[] {
  try {
    const index = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown };
    if (Array.isArray(index.manifests)) {
      return index.manifests.filter((d): d is Descriptor => typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string');
    }
  } catch {
    // fall through
  }
  throw new RegistryResponseError('GET', displayUrl(url), 200, [{ code: 'INVALID_REFERRERS', message: 'not an OCI index' }]);
}
