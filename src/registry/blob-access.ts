// How a client may fetch a blob without our credentials (the gateway's 307), learned with one
// request: an anonymous HEAD the registry answers 200, a redirect to a signed URL on another
// origin, or neither (or a registry under `tls: insecure`, or one asking for a client
// certificate) — then the authenticated response itself, for the gateway to stream.
import type { CallOptions } from '../content/storage.js';
import type { Reopened } from './blob-resume.js';
import { reopenAt } from './blob-reopen.js';
import { discard } from './http/body.js';
import { expectStatus } from './http/errors.js';
import { PageInsteadOfAnswerError, describeStatus, isHtmlType } from './http/front-pages.js';
import { displayUrl, header, type HttpResponse } from './http/types.js';
import { resolveLocation, type RepoContext } from './repo-context.js';

/** Where a client can read a blob, or the open response when only we can. */
export type BlobAccess =
  | { kind: 'anonymous'; url: URL }
  | { kind: 'redirect'; url: URL }
  | { kind: 'stream'; response: HttpResponse };

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** Finds the way to `digest`; a 404 is a NotFoundError, other failures their usual kinds. */
/**
 * `head`: only its length and digest are wanted (a client's HEAD): the authenticated request is a
 * HEAD too, its response bodiless. It was a GET whose body the gateway then dropped: every HEAD
 * of a 300 MiB layer started its whole download at the backend and cost the connection (gateway5
 * hunt: 3 HEADs through the gateway, 3 GETs of the layer at the backend).
 */
export async function blobAccess(repo: RepoContext, digest: string, opts: CallOptions & { tryAnonymous: boolean; head?: boolean }): Promise<BlobAccess> {
  const url = repo.url(`blobs/${digest}`);
  // A registry reached with `tls: insecure` has a certificate its clients cannot verify either, nor
  // whatever it redirects to unchecked: never send them there; its bytes are streamed (redirects followed).
  const clientsMayGo = repo.host.options.settings?.tls !== 'insecure';
  // One that asks for the client certificate regmirror presents refuses them ('remote error: tls:
  // bad certificate'): never sent there either; its redirects to another origin may be.
  if (opts.tryAnonymous && clientsMayGo && repo.host.opensToClients) {
    const anon = await repo.host.send({ method: 'HEAD', url, scopes: repo.scopes, anonymous: true, keepRedirects: true, signal: opts.signal, priority: opts.priority, noRetry: true });
    // A front end's maintenance page answers 200 to every path: sent there, the client got the
    // page as the blob (skopeo: "Digest did not match"), the gateway never seeing those bytes.
    if (anon.status === 200 && isHtmlType(header(anon, 'content-type'))) {
      discard(anon.body, '0');
      throw new PageInsteadOfAnswerError(`HEAD ${displayUrl(url)}: ${describeStatus(200, true)}, not the blob`);
    }
    if (anon.status === 200) return { kind: 'anonymous', url };
    if (REDIRECT.has(anon.status) && header(anon, 'location')) return { kind: 'anonymous', url };
    if (anon.status !== 401 && anon.status !== 403) await expectStatus('HEAD', anon, 200);
  }
  const method = opts.head ? 'HEAD' : 'GET';
  const res = await repo.host.send({ method, url, scopes: repo.scopes, keepRedirects: clientsMayGo, lane: 'download', slowReader: true, signal: opts.signal, priority: opts.priority });
  if (REDIRECT.has(res.status) && header(res, 'location')) {
    discard(res.body, header(res, 'content-length'));
    const to = resolveLocation(method, res);
    // A hop on the registry's own origin would still want our Authorization: stream instead.
    if (to.origin !== url.origin) return { kind: 'redirect', url: to };
    const again = await repo.host.send({ method, url: to, scopes: repo.scopes, lane: 'download', slowReader: true, signal: opts.signal, priority: opts.priority });
    return { kind: 'stream', response: await expectStatus(method, again, 200) };
  }
  return { kind: 'stream', response: await expectStatus(method, res, 200) };
}

/** The blob's bytes, whole (redirects followed): read back to prove what a 307 sent clients to. */
export async function openBlob(repo: RepoContext, digest: string, opts: CallOptions = {}): Promise<HttpResponse> {
  const res = await repo.host.send({ method: 'GET', url: repo.url(`blobs/${digest}`), scopes: repo.scopes, lane: 'download', slowReader: true, signal: opts.signal, priority: opts.priority });
  return expectStatus('GET', res, 200);
}

/**
 * The bytes of the blob of `size` bytes from `offset` on (`Range: bytes=N-`, redirects followed),
 * for a stream that broke elsewhere to carry on here; `start` is where the answer begins (0 when
 * Range is ignored, or answered so that it cannot be trusted: blob-reopen.ts).
 */
export async function openBlobAt(repo: RepoContext, digest: string, offset: number, size: number, opts: CallOptions = {}): Promise<Reopened> {
  const url = repo.url(`blobs/${digest}`);
  const get = (range?: string) => repo.host.send({ method: 'GET', url, scopes: repo.scopes, lane: 'download', slowReader: true, signal: opts.signal, priority: opts.priority, ...(range !== undefined && { headers: { range } }) });
  return reopenAt(get, offset, size, (what) => repo.host.options.logger.debug(`GET ${displayUrl(url)}: ${what}`));
}
