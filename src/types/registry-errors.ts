// What a registry answered instead of the content asked for: absent (404, NAME_UNKNOWN), refused
// credentials, its error list, an answer no client may read. No answer at all: unreachable-errors.ts.
import { RegmirrorError } from './base-errors.js';

/** A tag, digest, blob or repository is absent (HTTP 404 or a layout without it). */
export class NotFoundError extends RegmirrorError {
  override readonly kind = 'not-found';
  override name = 'NotFoundError';
}

/** A 404 whose registry said NAME_UNKNOWN: the repository itself is absent. */
export class NameUnknownError extends NotFoundError {
  override name = 'NameUnknownError';
}

/**
 * A NAME_UNKNOWN in the words of a registry that creates no repository on push (Amazon ECR: "The
 * repository with name … does not exist in the registry with id …"): a write there will fail too.
 * distribution's own NAME_UNKNOWN ("repository name not known to registry") says no such thing:
 * it answers so for a repository its first push creates.
 */
export class NoSuchRepositoryError extends NameUnknownError {
  override name = 'NoSuchRepositoryError';
}

/** The registry refused our credentials (401/403 after authenticating). */
export class AuthError extends RegmirrorError {
  override readonly kind = 'auth';
  override name = 'AuthError';
}

/**
 * Authentication succeeded but the registry still answered 401 for the repository: quay.io does
 * this for a repository that does not exist as for one these credentials may not read.
 */
export class AccessDeniedError extends AuthError {
  override name = 'AccessDeniedError';
}

/** An answer no HTTP client may read, framed so by a proxy in front of the registry (registry/http/framing.ts). */
export class MalformedAnswerError extends RegmirrorError {
  override readonly kind = 'malformed-answer';
  override name = 'MalformedAnswerError';
}

/** One entry of a registry's `{"errors":[…]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/**
 * A registry's error list as one clause. A digest in an entry's `detail` is named (distribution
 * puts the blob a manifest PUT lacks there: MANIFEST_BLOB_UNKNOWN), so the message says which.
 */
export function sayErrors(errors: RegistryErrorEntry[]): string {
  return errors
    .map((e) => {
      const digest = typeof e.detail === 'string' && /^sha(256|512):[0-9a-f]{64,128}$/.test(e.detail) && !(e.message ?? '').includes(e.detail) ? e.detail : '';
      return `${e.code}${e.message ? `: ${e.message}` : ''}${digest ? `${e.message ? ' ' : ': '}${digest}` : ''}`;
    })
    .join('; ');
}

/** Any other non-2xx answer from a registry, with what it said (credentials never included). */
export class RegistryResponseError extends RegmirrorError {
  override readonly kind = 'registry';
  override name = 'RegistryResponseError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly errors: RegistryErrorEntry[] = [],
    /** How the status reads ("502 Bad Gateway") and what the body says when it is not an error list. */
    described = String(status),
  ) {
    const said = sayErrors(errors);
    super(`${method} ${url}: ${described}${said ? ` (${said})` : ''}`);
  }
}

/** A registry answered NAME_UNKNOWN to a write: it does not create repositories on push (ECR). */
export class RepositoryMissingError extends NotFoundError {
  override name = 'RepositoryMissingError';
  constructor(
    readonly host: string,
    readonly repository: string,
  ) {
    super(
      `${host}: repository ${repository} does not exist and this registry does not create repositories on push; ` +
        `create it first (on Amazon ECR: aws ecr create-repository --repository-name ${repository}), then run regmirror again`,
    );
  }
}
