// Blobs: GET as a stream (redirects followed by the transport), HEAD for presence, and
// cross-repository mounts (distribution spec "Mounting a blob from another repository").
import type { Readable } from 'node:stream';
import { SMALL_BLOB_BYTES, type CallOptions } from '../content/storage.js';
import type { Again } from '../types/again.js';
import { blobCalled, type Descriptor } from '../types/descriptor.js';
import { MANIFEST_ACCEPT, isManifestType } from '../types/mediatype.js';
import { discard } from './http/body.js';
import { expectStatus, responseError, uploadNotStarted } from './http/errors.js';
import { describeStatus, isHtmlType } from './http/front-pages.js';
import { contentLength, displayUrl, header, type HttpResponse } from './http/types.js';
import { RegistryResponseError, triedOut } from '../types/errors.js';
import { newBudget } from './http/retry.js';
import type { RetryBudget } from './http/types.js';
import { resumable } from './blob-resume.js';
import { endedGracefully } from './http/goaway.js';
import { reopenAt } from './blob-reopen.js';
import { assertNotMissing, present, resolveLocation, writeFailure, type RepoContext } from './repo-context.js';

/**
 * Opens the blob's bytes. A connection that breaks mid-stream is resumed with a Range request
 * (blob-resume.ts); errors that remain surface on the stream (the copier retries).
 */
export async function fetchBlob(repo: RepoContext, desc: Descriptor, opts: CallOptions = {}): Promise<Readable> {
  const url = repo.url(`blobs/${desc.digest}`);
  // A blob that streams (larger than SMALL_BLOB_BYTES) is read at its uploads' pace over HTTP/1.1:
  // over HTTP/2 each paused download held its stream window (8 MiB, pool-limits.ts), on a connection of
  // its own, and its last window flowing (tail-flowing.ts): 15 downloads feeding a slow target
  // took a sync to 391 MB of RSS (200 over HTTP/1.1). Small blobs are read whole anyway.
  const slowReader = desc.size > SMALL_BLOB_BYTES;
  const get = (headers?: Record<string, string>, again?: Again) => repo.host.send({ method: 'GET', url, scopes: repo.scopes, lane: 'download', slowReader, signal: opts.signal, priority: opts.priority, headers, size: desc.size, again });
  // A resume's requests below are counted by onResume.
  const res = await expectStatus('GET', refusedByObjectStore(repo, desc, await get(undefined, opts.again)), 200);
  if (pageInsteadOfBlob(header(res, 'content-type'), contentLength(res), desc.size)) {
    discard(res.body, header(res, 'content-length'));
    throw new RegistryResponseError('GET', displayUrl(res.url), 200, [], `${describeStatus(200, true)}, not the blob`);
  }
  const { logger, stats } = repo.host.options;
  return resumable(res.body, {
    size: desc.size,
    length: contentLength(res),
    maxResumes: repo.host.retry.maxAttempts,
    onResume: (offset, why) => {
      // A session's graceful end (GOAWAY NO_ERROR, as after nginx's keepalive_requests) is the
      // normal end of a connection, no retry, as for an answer read whole (read-again.ts).
      const graceful = endedGracefully(why);
      if (!graceful) stats.retries++;
      logger.debug(`GET ${displayUrl(url)}: ${graceful ? 'its HTTP/2 connection ended (GOAWAY NO_ERROR)' : 'broke'} after ${offset} of ${desc.size} bytes (${why instanceof Error ? why.message : String(why)}); resuming with Range`);
    },
    reopen: (offset) => reopenAt(
      async (range) => refusedByObjectStore(repo, desc, await get(range === undefined ? undefined : { range })),
      offset, desc.size, (what) => logger.debug(`GET ${displayUrl(url)}: ${what}`),
    ),
  });
}

/**
 * A 200 that is an HTML page (a login portal, a proxy's soft 404), not the blob: registries and
 * object stores serve blobs as application/octet-stream. An answer of exactly the blob's size is
 * left to the digest check (a blob may be an HTML file stored with its own type).
 */
export function pageInsteadOfBlob(contentType: string | undefined, length: number | undefined, size: number): boolean {
  return isHtmlType(contentType) && length !== size;
}

// The registry redirected the GET to an object store that refused even the fresh URL the
// redirect layer asked for (redirect.ts): say who refused what, and what to check.
function refusedByObjectStore(repo: RepoContext, desc: Descriptor, res: HttpResponse): HttpResponse {
  if (res.status === 200 || res.status === 206 || res.url.origin === repo.host.base.origin) return res;
  discard(res.body, header(res, 'content-length'));
  throw new RegistryResponseError('GET', displayUrl(res.url), res.status, [{
    code: 'OBJECT_STORE_REFUSED',
    message: `${repo.host.host} redirected blob ${desc.digest} of ${repo.path} to ${res.url.origin}, which refused it (${res.status}) even with a fresh URL; presigned URLs expire, so check this machine's clock and run again`,
  }]);
}

/** HEAD the blob, or the manifest when `desc` is one: 200 → true, 404 → false. */
export async function exists(repo: RepoContext, desc: Descriptor, opts: CallOptions = {}): Promise<boolean> {
  const manifest = isManifestType(desc.mediaType);
  const url = repo.url(`${manifest ? 'manifests' : 'blobs'}/${desc.digest}`);
  const headers: Record<string, string> = manifest ? { accept: MANIFEST_ACCEPT.join(', ') } : {};
  const res = await repo.host.send({ method: 'HEAD', url, scopes: repo.scopes, headers, signal: opts.signal, priority: opts.priority });
  // A redirect (to object storage, which refuses HEAD) is the registry saying it holds the blob.
  if (res.status === 200 || (res.status >= 300 && res.status < 400 && header(res, 'location'))) {
    discard(res.body, '0');
    present(repo);
    return true;
  }
  if (res.status === 404) {
    discard(res.body, '0');
    return false;
  }
  throw await responseError('HEAD', res);
}

/** Key of an upload session opened ahead of its push (a refused mount's, upload.ts openUpload's). */
export function sessionKey(path: string, digest: string): string {
  return `${path}@${digest}`;
}

/** The repository path of a sessionKey (a digest holds no '@'). */
export function sessionPath(key: string): string {
  return key.slice(0, key.lastIndexOf('@'));
}

/**
 * A mount the registry kept failing (5xx, 408, 429 after every retry), said as the blob it was for
 * and how often it was asked, as a failed upload is (copy/upload-failures.ts uploadCut). A target restarted
 * mid-backfill (backfill4 hunt) failed some tags with a bare 'POST https://HOST/v2/REPO/blobs/uploads/:
 * 502 Bad Gateway' beside others' 'blob … not uploaded, tried 5 times': the mount's query, which
 * names the blob, is not shown. A self-mount is the start of the blob's upload, and said so.
 */
function mountTriedOut(e: unknown, repo: RepoContext, desc: Descriptor, fromPath: string, budget: RetryBudget): unknown {
  const transient = e instanceof RegistryResponseError && (e.status >= 500 || e.status === 408 || e.status === 429);
  if (!transient || budget.remaining > 0) return e;
  const what = fromPath === repo.path ? 'not uploaded' : `not mounted from ${fromPath}`;
  return triedOut(e, `${blobCalled(desc)} ${what}`, budget.sent ?? repo.host.retry.maxAttempts);
}

/**
 * POST ?mount=&from=: 201 means mounted; 202 means the registry opened an upload instead, which
 * the next pushBlob of this digest here uses. One token carries both scopes, as distribution needs.
 */
/** Mount requests sent while the answers are successes that open nothing. */
const MOUNT_TRIES = 3;

export async function mountBlob(repo: RepoContext, desc: Descriptor, fromPath: string, opts: CallOptions = {}): Promise<boolean> {
  assertNotMissing(repo);
  const url = repo.url(`blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(fromPath)}`);
  const scopes = repo.scopesWith(fromPath);
  const budget = newBudget(repo.host.retry);
  let res = await repo.host.send({ method: 'POST', url, scopes, signal: opts.signal, priority: opts.priority, budget, headers: { 'content-length': '0' } });
  // A success that is neither answer (a login page, a 200 cut short) is asked again, as an upload
  // start is (upload.ts); one that keeps coming is said as what it is.
  for (let tries = 1; res.status >= 200 && res.status < 300 && res.status !== 201 && res.status !== 202; tries++) {
    discard(res.body, header(res, 'content-length'));
    if (tries >= MOUNT_TRIES) throw uploadNotStarted(url, res.status);
    res = await repo.host.send({ method: 'POST', url, scopes, signal: opts.signal, priority: opts.priority, headers: { 'content-length': '0' } });
  }
  await expectStatus('POST', res, 201, 202).catch((e: unknown) => {
    throw writeFailure(repo, mountTriedOut(e, repo, desc, fromPath, budget));
  });
  discard(res.body, header(res, 'content-length'));
  if (res.status === 201) return true;
  // The session it opened is an upload's like any other: its chunk bounds hold for the bytes sent there.
  repo.host.uploads.learnLimits(header(res, 'oci-chunk-min-length'), header(res, 'oci-chunk-max-length'));
  repo.host.uploadSessions.set(sessionKey(repo.path, desc.digest), resolveLocation('POST', res));
  return false;
}
