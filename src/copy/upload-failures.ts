// What an attempt's failure means for the attempts after it: a blob that landed all the same, a
// source answer no retry changes, an upload given up named by its blob, an error named by its side.
import type { Repository } from '../content/storage.js';
import { blobCalled, type Descriptor } from '../types/descriptor.js';
import { AuthError, CopyError, isLasting, ProxyError, RegistryResponseError, triedOut, UnreachableError, UploadAdaptedError } from '../types/errors.js';
import { callOptions, type CopyContext } from './context.js';
import type { BlobResults } from './upload-push.js';

/**
 * A source answer no new attempt changes: a redirect loop (the registry or its CDN sending the
 * read round in circles) cost 6 requests per attempt, 24 for one blob, before it failed anyway;
 * an untrusted certificate at the object store a blob is redirected to cost 5 (one per attempt).
 */
export function unchangedByRetry(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof RegistryResponseError && e.errors.some((x) => x.code === 'TOO_MANY_REDIRECTS')) return true;
    // A certificate refused where the source sent the read (its object store), or a proxy's refusal.
    if (isLasting(e)) return true;
  }
  return false;
}

/**
 * Takes out of `failed` the destinations that hold the blob all the same: a proxy that gave up
 * waiting (nginx's 502/504 on a large blob's final PUT) while the registry stored it. Asked before
 * the blob is sent again, so a lost answer costs a HEAD, not the whole blob once more. A 429 is no
 * lost answer: the registry took nothing, and a HEAD would be one request more to a host that has
 * just said it gets too many.
 */
export async function landedAnyway(ctx: CopyContext, desc: Descriptor, failed: Map<Repository, unknown>, results: BlobResults): Promise<void> {
  const tookNothing = (err: unknown) => err instanceof UploadAdaptedError || err instanceof AuthError || (err instanceof RegistryResponseError && err.status === 429);
  const maybe = [...failed].filter(([, err]) => !tookNothing(err) && !isLasting(err));
  await Promise.all(maybe.map(async ([dst]) => {
    if (!(await dst.exists(desc, callOptions(ctx)).catch(() => false))) return;
    failed.delete(dst);
    results.set(dst, 'copied');
  }));
}

/**
 * An upload whose connection kept failing, or that a proxy kept answering 5xx, names the blob, its
 * size and the attempts: a request URL alone (an upload session's) says nothing of which blob, and
 * a pattern (only the largest blobs fail) is what points at a proxy that cuts long requests.
 */
export function uploadCut(desc: Descriptor, attempts: number, err: unknown): unknown {
  const transient = (e: unknown): e is Error =>
    e instanceof UnreachableError ? !isLasting(e) && !(e instanceof ProxyError) : e instanceof RegistryResponseError && (e.status >= 500 || e.status === 408 || e.status === 429);
  return transient(err) ? triedOut(err, `${blobCalled(desc)} not uploaded`, attempts) : err;
}

/** `err` as a CopyError naming the side and repository it came from. */
export function asError(err: unknown, origin: 'source' | 'destination', repo: Repository): Error {
  if (err instanceof CopyError) return err;
  return new CopyError(origin, repo.name, err);
}
