// A manifest a registry refuses for what it is (quay.io's 415 for a config or artifact media type
// off its allow-list), said the same by both engines. A manifest PUT by digest is no tag: an
// image's child, or a signature, attestation or SBOM that travels with a tag (regclient's testrepo:
// v3's SBOM refused at quay said "testrepo:sha256:…" and "exclude the tag", sending people to drop
// v3 itself, which the registry had taken); such a one is named REPO@DIGEST, with both ways out.
import { UnsupportedError } from '../types/errors.js';
import { isDigest } from '../types/digest.js';

/**
 * A manifest refused for its kind. `advice` is the way out as sync and verify see it (another
 * registry, or the tag left out); publish, whose remedies differ, puts its own in its place.
 */
export class RefusedContentError extends UnsupportedError {
  override name = 'RefusedContentError';
  constructor(message: string, readonly advice: string) {
    super(message);
  }
}

/**
 * The error for `reference` (a tag or a digest) at `repository` (HOST/PATH), refused as `what`
 * (e.g. `the … manifest with "…"`), `said` being the registry's answer as the engine heard it.
 */
export function refusedContent(repository: string, reference: string, what: string, said: string): RefusedContentError {
  const byDigest = isDigest(reference);
  const named = `${repository}${byDigest ? '@' : ':'}${reference}`;
  const leaveOut = byDigest
    ? 'or leave it out: exclude the tag it belongs to or, for a signature, attestation or SBOM, set `referrers: false` on that image'
    : 'or exclude the tag';
  const advice = `mirror it to a registry that does, ${leaveOut}`;
  return new RefusedContentError(`${named}: the registry refuses ${what} (${said}): it does not accept this kind of content; ${advice}`, advice);
}
