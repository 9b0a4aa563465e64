// What public issue trackers document about a registry's uploads, known before its first answer.
// ghcr.io refuses any request body over 4 MiB with 416 ("the request body is too large and exceeds
// the maximum permissible limit of 4.00MiB": oras-project/rust-oci-client#35, wasmCloud/wash#268,
// ocx-sh/ocx#237). Learning that from refusals cost every run its first large uploads: each one
// in flight at the start sent its whole body and was refused (the ghcr-uploads personality reads
// the body first, as ghcr.io does). A prior, not a rule: upload-policy.ts drops it once the
// registry says otherwise (it refuses PATCH).
import { SMALL_CHUNK_LIMIT } from './upload-policy.js';

const BODY_LIMITS: ReadonlyMap<string, number> = new Map([['ghcr.io', SMALL_CHUNK_LIMIT]]);

/** The request-body limit documented for the registry named `host` (as mirrors.yaml names it), if any. */
export function documentedBodyLimit(host: string): number | undefined {
  return BODY_LIMITS.get(host.toLowerCase().replace(/:443$/, ''));
}
