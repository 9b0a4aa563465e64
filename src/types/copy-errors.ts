// Errors that end or restart a copy rather than one request: which side of it failed, and a blob
// upload a registry refused every way, or refused in a way the copier must read the source again for.
import { RegmirrorError } from './base-errors.js';

/** Which side of a copy failed, so a report can say "source" or "destination". */
export type Origin = 'source' | 'destination';

/** Marks an error with the side of the copy it came from. */
export class CopyError extends RegmirrorError {
  override readonly kind = 'copy';
  override name = 'CopyError';
  constructor(
    readonly origin: Origin,
    readonly repository: string,
    override readonly cause: unknown,
  ) {
    const said = cause instanceof Error ? cause.message : String(cause);
    // A layout's own errors already start with its name: "source oci:DIR: oci:DIR: blob … not found" said it twice.
    // So do lines about one manifest of it by digest ("REPOSITORY@sha256:… is …") or by tag (a refused
    // kind of content: "destination R: R:v1.2.3: the registry refuses …" said R twice).
    super(said.startsWith(`${repository}:`) || said.startsWith(`${repository}@`) ? `${origin} ${said}` : `${origin} ${repository}: ${said}`);
  }
}

/**
 * A copy that stopped where nothing can tell which side held it (a skopeo run that moved nothing,
 * neither registry holding bytes it sent: skopeo streams the source's blob into the target's
 * upload, so a stalled source leaves the target's request waiting too). Both are named, where
 * the line read `destination …` for a source that stopped sending; its retries are counted as a
 * destination's, as before.
 */
export class EitherSideCopyError extends CopyError {
  constructor(
    readonly source: string,
    repository: string,
    cause: unknown,
  ) {
    super('destination', repository, cause);
    this.message = `source ${source} or destination ${repository}: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
}

/**
 * A registry refused an upload in a way its upload policy has now adapted to (smaller chunks,
 * chunked, monolithic), but the bytes were a stream already spent: the copier reads the source
 * again and uploads under the new policy. Not a failed attempt: each adaptation narrows the
 * policy, which ends in UploadRefusedError when nothing is left to try.
 */
export class UploadAdaptedError extends RegmirrorError {
  override readonly kind = 'upload-adapted';
  override name = 'UploadAdaptedError';
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * A registry refused every way regmirror can upload a blob (monolithic and each chunk size tried),
 * or the one way skopeo uploads (then `advice` names the engine that can).
 */
export class UploadRefusedError extends RegmirrorError {
  override readonly kind = 'upload-refused';
  override name = 'UploadRefusedError';
  constructor(
    readonly host: string,
    detail: string,
    advice = "run with -v to see each refusal, and report the registry's limits to its operator or to regmirror",
  ) {
    super(`${host} refused the blob upload: ${detail}; ${advice}`);
  }
}
