// A blob download skopeo was refused with 403 at the source ('reading blob sha256:…: Error
// fetching blob: invalid status code from registry 403 (Forbidden)'). skopeo reads the manifest
// before any blob, with the same credentials and token scope, so they are rarely at fault here;
// registries that redirect blob downloads to object storage (S3, GCS, R2 behind ECR, Docker Hub,
// GAR, quay.io) pass on that store's 403, which a presigned URL gets once it has expired (a clock
// off by minutes) or when anything signs it wrongly. skopeo follows the redirect without saying
// so, and says "from registry" for the store's answer; the native engine names the store.
import { RegmirrorError } from '../types/errors.js';

const BLOB_FORBIDDEN = /fetching blob: invalid status code from registry 403\b/i;

/** The error for a source blob download refused 403, or undefined when `line` is not one. */
export function blobForbiddenAtSource(line: string): RegmirrorError | undefined {
  if (!BLOB_FORBIDDEN.test(line)) return undefined;
  return new RegmirrorError(`${line} (a blob refused, not the credentials, which read its manifest: a registry that redirects blob downloads to object storage passes on its 403, which presigned URLs get once they expire; check this machine's clock and run again; \`engine: native\` names the store that refused it)`);
}
