// Tag listing (distribution spec "Listing tags"), every page, following `Link: <…>; rel="next"`.
import type { CallOptions } from '../content/storage.js';
import { NameUnknownError, NoSuchRepositoryError, NotFoundError, RegistryResponseError } from '../types/errors.js';
import { endpointPathMiss } from './endpoint-path.js';
import { isDigest } from '../types/digest.js';
import { isValidTag } from '../types/reference.js';
import { readCapped } from './http/body.js';
import { expectStatus } from './http/errors.js';
import { describeStatus, htmlTitle, isHtml } from './http/front-pages.js';
import { displayUrl, header } from './http/types.js';
import { nextLink, nextPage, offOrigin } from './link.js';
import { saidMissing, type RepoContext } from './repo-context.js';
import { readAgainWhenSpoiled } from './read-again.js';

/** Largest tag-list page we read (a thousand tags are ~50 KiB). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** Every tag of the repository; one that does not exist has none. */
export async function listTags(repo: RepoContext, opts: CallOptions = {}): Promise<string[]> {
  const tags: string[] = [];
  const listed = new Set<string>();
  const seen = new Set<string>();
  const pageSize = repo.host.options.tagPageSize;
  let url: URL | undefined = repo.url(`tags/list?n=${pageSize}`);
  // The page asked for by `last=` (the spec's own paging) rather than by a Link the registry gave.
  let byLast = false;
  const digests = new Set<string>();
  while (url) {
    seen.add(url.href);
    // A registry that refuses `last` (4xx) has no such paging: the tags listed are all there are.
    const page = await fetchPage(repo, url, tags.length === 0, opts).catch((e: unknown) => {
      if (byLast && (e instanceof NotFoundError || (e instanceof RegistryResponseError && e.status >= 400 && e.status < 500))) return null;
      throw e;
    });
    if (page === null) break;
    if (page === undefined) return [];
    let added = 0;
    // A tag outside the OCI grammar would end up in a URL path (`../x`): never asked for. JFrog
    // Artifactory lists its manifests' digests among the tags (containers/skopeo#2346): not tags,
    // ignored as skopeo does, said once in -v rather than warned about one line each.
    for (const tag of page.tags) {
      if (isDigest(tag)) digests.add(tag);
      else if (!isValidTag(tag)) repo.host.options.logger.warn(`${repo.host.host}/${repo.path}: ignoring tag ${JSON.stringify(tag.slice(0, 140))}, not a valid OCI tag`);
      else if (!listed.has(tag)) {
        listed.add(tag);
        tags.push(tag);
        added++;
      }
    }
    // A registry that ignores `last` answers the first page again: nothing more to find there.
    if (byLast && added === 0) break;
    url = nextPage(page.link, page.url, repo.host.base.origin, seen);
    byLast = false;
    // A full page and no Link: a registry that honours `n` but never links the next page (Sonatype
    // Nexus, sonatype/nexus-public#209) has more tags; skopeo, which sends no `n`, gets them all.
    // Ask for them the distribution spec's own way, `last=` the page's last tag.
    const lastTag = page.tags[page.tags.length - 1];
    if (!url && nextLink(page.link) === undefined && page.tags.length === pageSize && lastTag !== undefined) {
      const after = repo.url(`tags/list?n=${pageSize}&last=${encodeURIComponent(lastTag)}`);
      if (!seen.has(after.href)) [url, byLast] = [after, true];
    }
    const off = url ? undefined : offOrigin(page.link, page.url, repo.host.base.origin);
    // A registry that knows itself by another name (localhost for [::1], http.host) links its
    // pages there; its credentials are not sent to that name, but the short list is said.
    if (off) repo.host.options.logger.warn(`${repo.host.host}/${repo.path}: the tag list's next page is on ${off}, not ${repo.host.base.origin}: not followed, so tags after the first ${tags.length} are missing; reach the registry by that name (\`endpoint\` under registries: ${repo.host.host})`);
    // Paging that goes round in circles: a link to a page read before, or (a cursor that wrapped
    // around, fresh each time) a page after the first that lists no new tag. Followed, it never ends.
    const circling = url ? seen.size > 1 && added === 0 : !off && nextLink(page.link) !== undefined;
    if (circling) {
      url = undefined;
      repo.host.options.logger.warn(`${repo.host.host}/${repo.path}: the tag list's pages go round in circles (a page linked to one read before, or listed no tag not listed already): paging stopped at ${tags.length} tags, so tags after those may be missing; the registry's tag paging is at fault`);
    }
  }
  if (digests.size > 0) repo.host.options.logger.debug(`${repo.host.host}/${repo.path}: the tag list names ${digests.size} digest${digests.size === 1 ? '' : 's'} among its tags (as JFrog Artifactory does): not tags, ignored`);
  return tags;
}

/**
 * One page; undefined for a 404 on the first (no such repository). A page that is not a tag list (a login page sent as 200, a body
 * cut short) is asked for again within the registry's maxAttempts, as a manifest GET is.
 */
async function fetchPage(repo: RepoContext, url: URL, first: boolean, opts: CallOptions): Promise<{ tags: string[]; link: string | undefined; url: URL } | undefined> {
  return readAgainWhenSpoiled(repo, url, opts, (e) => e instanceof NotATagList, async (budget) => {
    const res = await repo.host.send({ method: 'GET', url, scopes: repo.scopes, signal: opts.signal, priority: opts.priority, budget });
    try {
      await expectStatus('GET', res, 200);
    } catch (e) {
      if (e instanceof NotFoundError && first) {
        // No tags either way; ECR's words also say a push there will fail (plan says so: sync/tag-target.ts).
        if (e instanceof NoSuchRepositoryError) saidMissing(repo);
        // A bare 404 (no NAME_UNKNOWN) under an endpoint's path: no registry there to say so.
        const miss = e instanceof NameUnknownError ? undefined : await endpointPathMiss(repo, opts.signal);
        if (miss) throw miss;
        return undefined;
      }
      throw e;
    }
    return { tags: parsePage(await readCapped(res.body, MAX_PAGE_BYTES, `tag list of ${repo.path}`), url), link: header(res, 'link'), url: res.url };
  });
}

/**
 * A 200 whose body is not a tag list. Every attempt so answered, nothing of the repository could be
 * read there: sync and plan count it as a registry not reached (sync/unreached.ts), as verify does.
 */
export class NotATagList extends RegistryResponseError {}

function parsePage(bytes: Buffer, url: URL): string[] {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { tags?: unknown };
    if (parsed.tags === null || parsed.tags === undefined) return [];
    if (Array.isArray(parsed.tags)) return parsed.tags.filter((t): t is string => typeof t === 'string');
  } catch {
    // fall through
  }
  const text = bytes.toString('utf8');
  // A page (a login portal, a proxy's) speaks for something between this machine and the registry:
  // say what to do about it (issuer2 hunt: the line named the page and stopped there).
  if (isHtml(bytes)) throw new NotATagList('GET', displayUrl(url), 200, [], `${describeStatus(200, true, htmlTitle(text))}, not a tag list: this machine must reach ${url.host} without signing in (a proxy exemption for it, or HTTPS_PROXY/NO_PROXY)`);
  throw new NotATagList('GET', displayUrl(url), 200, [{ code: 'INVALID_TAG_LIST', message: 'not a tag list' }], describeStatus(200));
}
