// Blobs through the gateway: a 307 to a URL that needs no credentials (the backend itself when it
// serves blobs to anyone, or the signed object-storage URL it redirected us to); otherwise the
// gateway streams the bytes itself, proving them against the digest as they pass.
import type { BlobAccess } from '../registry/blob-access.js';
import type { HttpResponse } from '../registry/http/types.js';
import { NotFoundError, RegmirrorError } from '../types/errors.js';
import type { Backend, BackendPool } from './backends.js';

/** Where the client goes, or what the gateway streams. */
export type BlobAnswer =
  | { kind: 'redirect'; location: string; backend: string }
  | { kind: 'stream'; response: HttpResponse; backend: string };

/** No backend has the blob (404), or none answered (503). */
export class NoBlob extends RegmirrorError {
  constructor(readonly status: 404 | 503) {
    super(status === 404 ? 'blob unknown' : 'no backend answered');
  }
}

/** Backend hosts that refused an anonymous read once: not asked anonymously again. */
export type AnonymousMemory = Map<string, boolean>;

/** Finds the blob on the first backend that has it. */
export async function serveBlob(pool: BackendPool, backends: Backend[], digest: string, anonymous: AnonymousMemory): Promise<BlobAnswer> {
  const result = await pool.first(backends, async (b, signal) => {
    const access: BlobAccess = await b.repo.blobAccess(digest, { signal, tryAnonymous: anonymous.get(b.host) !== false });
    if (access.kind === 'stream') anonymous.set(b.host, false);
    return access;
  });
  if (!result.ok) {
    throw new NoBlob(result.errors.length > 0 && result.errors.every((e) => e instanceof NotFoundError) ? 404 : 503);
  }
  const access = result.value;
  const backend = result.backend.host;
  return access.kind === 'stream' ? { kind: 'stream', response: access.response, backend } : { kind: 'redirect', location: access.url.href, backend };
}
