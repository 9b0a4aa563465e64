// ECR's IMMUTABLE tags (and any registry that answers TAG_INVALID to a tag it will not move): a
// `sync --force` that retargets such a tag is refused for good, so the line says what the user can
// do there instead of leaving them the registry's words and a rerun that fails the same way.
import { isDigest } from '../types/digest.js';
import { RegistryResponseError, UnsupportedError } from '../types/errors.js';
import { hasErrorCode } from './http/errors.js';

/**
 * A PUT of `tag` refused 400 TAG_INVALID (after the read-back showed the tag holds another
 * digest): the registry keeps its tags immutable. undefined for any other failure.
 */
export function immutableTagRefusal(tag: string, e: unknown): ImmovableTagError | undefined {
  if (isDigest(tag) || !(e instanceof RegistryResponseError) || e.status !== 400 || !hasErrorCode(e, 'TAG_INVALID')) return undefined;
  const said = e.errors.find((x) => x.code === 'TAG_INVALID')?.message;
  return immutableTagError(tag, `400 TAG_INVALID${said ? `: ${said}` : ''}`);
}

/**
 * A tag the registry will not move. `rerun` is the command that retargets it once deleted there,
 * as sync sees it; publish, which pushed it, puts its own in its place.
 */
export class ImmovableTagError extends UnsupportedError {
  override name = 'ImmovableTagError';
  constructor(message: string, readonly rerun: string) {
    super(message);
  }
}

/** The line for `tag`, which the registry will not move; `answer`: its answer, as far as it is known (skopeo's words for the skopeo engine). */
export function immutableTagError(tag: string, answer: string): ImmovableTagError {
  const rerun = 'run sync --force again';
  return new ImmovableTagError(`tag ${tag}: the registry refuses to move it (${answer}): its tags are immutable, so ${tag} keeps the digest it has there; to retarget it, delete the tag at that registry (ECR: aws ecr batch-delete-image --image-ids imageTag=${tag}) or make the repository's tags mutable, then ${rerun}`, rerun);
}
