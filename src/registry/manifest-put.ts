// Pushing a manifest (distribution spec "Pushing manifests"): PUT by digest or by tag, under the
// manifest's own media type, and proof that the registry stored it. A registry answers 201 with
// the digest it stored; any other success (200 from a login page or a proxy answering in its
// name, a 200 cut short) is read back before it counts, so a tag is never reported copied where
// it is not.
import type { CallOptions } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isDigest } from '../types/digest.js';
import { DigestMismatchError, NotFoundError, RegistryResponseError, triedOut, UnsupportedError } from '../types/errors.js';
import { discard, readPrefix } from './http/body.js';
import { backoff, newBudget, pause } from './http/retry.js';
import { expectStatus, hasErrorCode, responseError } from './http/errors.js';
import { describeStatus, isHtml, isHtmlType } from './http/front-pages.js';
import { displayUrl, header, type HttpResponse, type RetryBudget } from './http/types.js';
import { manifestUrl, ownMediaType, resolveManifest } from './manifests.js';
import { foreignRefusal, hasLayerUrls } from './foreign-refusal.js';
import { assertNotMissing, writeFailure, present, type RepoContext } from './repo-context.js';
import { refusedContent } from './refused-content.js';
import { immutableTagRefusal } from './immutable-tag.js';

/** PUTs of one manifest whose success could not be confirmed before the run gives up on it. */
const UNCONFIRMED_PUTS = 2;

/**
 * PUTs again of one manifest that distribution said has a blob it does not know, although every
 * blob was placed (or found) before it: a blob another writer (a parallel `--shard`) pushes at the
 * same time has its link rewritten in place by distribution 2.8's filesystem storage, and a PUT
 * that reads it meanwhile is answered 400 MANIFEST_BLOB_UNKNOWN.
 */
const RACED_PUTS = 3;

/** PUT manifest bytes under `reference` (its digest, or a tag); the registry must agree on the digest. */
export async function putManifest(repo: RepoContext, desc: Descriptor, bytes: Uint8Array, reference: string, opts: CallOptions = {}): Promise<void> {
  const contentType = ownMediaType(bytes) ?? desc.mediaType;
  if (contentType !== desc.mediaType) {
    repo.host.options.logger.debug(`${repo.host.host}/${repo.path}:${reference}: PUT as ${contentType}, the manifest's own mediaType (its descriptor says ${desc.mediaType})`);
  }
  let raced = 0;
  // A manifest with foreign layers is PUT once first without the retry layer: distribution refuses
  // their URLs with a 500 that no retry changes (5 PUTs and their backoff for nothing). Any other
  // failure of that PUT is then tried as every PUT is.
  let single = hasLayerUrls(bytes, contentType);
  for (let put = 1; ; put++) {
    const once = single;
    single = false;
    const budget = newBudget(repo.host.retry);
    const answer = await putOnce(repo, desc, bytes, reference, contentType, { ...opts, once, budget }).catch(async (e: unknown) => {
      const foreign = foreignRefusal(repo.host.host, `${repo.path}:${reference}`, bytes, contentType, e);
      if (foreign) throw foreign;
      if (once) return 'again' as const;
      if (blobRaced(e) && repo.host.racedPutsHelp) {
        if (++raced < RACED_PUTS) return 'raced' as const;
        racedInVain(repo);
      }
      const sha512 = sha512Refusal(repo, reference, e);
      if (sha512) throw sha512;
      if (refusedYetHeld(e) && (await holds(repo, desc, reference, opts).catch(() => false))) return 'stored' as const;
      const immutable = immutableTagRefusal(reference, e);
      if (immutable) throw immutable;
      // Asked until the retry budget was spent (a 502, a reset each time): the line says how often.
      throw budget.remaining <= 0 && e instanceof Error ? triedOut(e, `manifest ${reference} not pushed`, repo.host.retry.maxAttempts) : e;
    });
    if (answer === 'again') {
      put--;
      continue;
    }
    if (answer === 'raced') {
      const wait = backoff(repo.host.retry, raced);
      repo.host.options.logger.debug(`${repo.host.host}/${repo.path}:${reference}: the registry does not know a blob of the manifest yet (another writer pushing it at once?): pushing the manifest again in ${wait} ms`);
      await pause(wait, opts.signal);
      put--;
      continue;
    }
    if (answer === 'stored' || (await holds(repo, desc, reference, opts))) return present(repo);
    if (put >= UNCONFIRMED_PUTS) {
      throw new RegistryResponseError('PUT', displayUrl(manifestUrl(repo, reference)), answer.status, [], `${answer.described}, yet the registry does not hold the manifest afterwards (a proxy or login page answering for it?); tried ${put} times`);
    }
    repo.host.options.logger.debug(`${repo.host.host}/${repo.path}:${reference}: the PUT was answered ${answer.described}, but the manifest is not there: pushing it again`);
  }
}

/** One PUT: 'stored' when the answer proves it (201, or the digest said back), else what it said. */
async function putOnce(repo: RepoContext, desc: Descriptor, bytes: Uint8Array, reference: string, contentType: string, opts: CallOptions & { once: boolean; budget: RetryBudget }): Promise<'stored' | { status: number; described: string }> {
  assertNotMissing(repo);
  const res = await repo.host.send({
    method: 'PUT', url: manifestUrl(repo, reference), scopes: repo.scopes, signal: opts.signal, priority: opts.priority, noRetry: opts.once, budget: opts.budget,
    headers: { 'content-type': contentType, 'content-length': String(bytes.byteLength) },
    body: bytes,
  });
  if (res.status === 415) throw await refusedType(repo, reference, contentType, bytes, res);
  await expectStatus('PUT', res, 200, 201, 202, 204).catch((e: unknown) => {
    throw writeFailure(repo, e);
  });
  const said = header(res, 'docker-content-digest');
  if (said && isDigest(said) && said.split(':')[0] === desc.digest.split(':')[0] && said !== desc.digest) {
    discard(res.body, header(res, 'content-length'));
    throw new DigestMismatchError(desc.digest, said, `manifest pushed to ${repo.host.host}/${repo.path}:${reference}`);
  }
  if (said === desc.digest || (res.status === 201 && !isHtmlAnswer(res))) {
    discard(res.body, header(res, 'content-length'));
    return 'stored';
  }
  const html = isHtmlAnswer(res) || isHtml(await readPrefix(res.body, 1024).catch(() => Buffer.alloc(0)));
  return { status: res.status, described: describeStatus(res.status, html) };
}

/**
 * A refusal after which the registry may hold the manifest all the same, so it is read back:
 * every try answered 5xx (a gateway in front gave up while the registry stored it), or a retry
 * was refused because an earlier try whose answer was lost had landed (ECR's immutable tags refuse
 * a PUT of an existing tag with 400 TAG_INVALID even at the same digest; a registry may say 409).
 */
function refusedYetHeld(e: unknown): boolean {
  return e instanceof RegistryResponseError && (e.status >= 500 || e.status === 400 || e.status === 409);
}

/**
 * PUTs again did not cure a MANIFEST_BLOB_UNKNOWN: no race, but a registry that keeps the blob
 * outside this repository. Its later refusals go to the caller's heal (copy/unknown-blobs.ts) at
 * once, without 2 PUTs and their pauses each; a race there is healed too, by uploading the blob.
 */
function racedInVain(repo: RepoContext): void {
  if (!repo.host.racedPutsHelp) return;
  repo.host.racedPutsHelp = false;
  repo.host.options.logger.debug(`${repo.host.host}: a manifest refused MANIFEST_BLOB_UNKNOWN ${RACED_PUTS} times in a row: no race with another writer; later refusals there upload the blobs it names at once`);
}

/** 400 MANIFEST_BLOB_UNKNOWN: the blob check raced a writer of the same blob (RACED_PUTS). */
function blobRaced(e: unknown): boolean {
  return e instanceof RegistryResponseError && e.status === 400 && hasErrorCode(e, 'MANIFEST_BLOB_UNKNOWN');
}

/**
 * 400 DIGEST_INVALID to a PUT by a sha512 digest: distribution names every manifest by sha256, so
 * a manifest an index names by sha512 (a child in an OCI layout) cannot be stored there, and the
 * index could not name it. Its own words ("provided digest did not match uploaded content") read
 * as corruption; this says what it is and what to do.
 */
function sha512Refusal(repo: RepoContext, reference: string, e: unknown): UnsupportedError | undefined {
  if (!reference.startsWith('sha512:') || !(e instanceof RegistryResponseError) || e.status !== 400 || !hasErrorCode(e, 'DIGEST_INVALID')) return undefined;
  return new UnsupportedError(`${repo.host.host}/${repo.path}: the registry refuses manifest ${reference} by its sha512 name (400 DIGEST_INVALID): it names manifests by sha256 only, so an index that names this child by sha512 cannot be stored there; mirror the tag into an oci: layout, or rebuild its index with sha256 digests`);
}

function isHtmlAnswer(res: HttpResponse): boolean {
  return isHtmlType(header(res, 'content-type'));
}

/** Whether the registry serves `desc` under `reference` now. */
async function holds(repo: RepoContext, desc: Descriptor, reference: string, opts: CallOptions): Promise<boolean> {
  try {
    return (await resolveManifest(repo, reference, opts)).digest === desc.digest;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

/** 415 (quay.io refuses some config media types): an error that says which type, for this tag only. */
async function refusedType(repo: RepoContext, reference: string, contentType: string, bytes: Uint8Array, res: HttpResponse): Promise<UnsupportedError> {
  const said = (await responseError('PUT', res)).message;
  let config = '';
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { config?: { mediaType?: unknown }; artifactType?: unknown };
    const types = [parsed.artifactType, parsed.config?.mediaType].filter((t): t is string => typeof t === 'string');
    if (types.length > 0) config = ` with ${types.map((t) => `"${t}"`).join(' / ')}`;
  } catch {
    // not JSON: the content type alone is named
  }
  return refusedContent(`${repo.host.host}/${repo.path}`, reference, `the ${contentType} manifest${config}`, `415 Unsupported Media Type; ${said}`);
}
