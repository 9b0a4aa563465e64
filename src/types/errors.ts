// The closed set of error kinds every layer shares. Callers branch on `instanceof`, never on text.

/** Which side of a copy failed, so a report can say "source" or "destination". */
export type Origin = 'source' | 'destination';

/** Base class: `kind` is stable for JSON reports, `message` is one line for a person. */
export class RegmirrorError extends Error {
  readonly kind: string = 'error';
  override name = 'RegmirrorError';
}

/** mirrors.yaml (or a CLI flag) is wrong; exit 2 before any request. */
export class ConfigError extends RegmirrorError {
  override readonly kind = 'config';
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

/** A flag or argument the user gave is unusable; exit 2. */
export class UsageError extends RegmirrorError {
  override readonly kind = 'usage';
  override name = 'UsageError';
}

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

/** Bytes did not hash to the digest they were fetched or pushed under. */
export class DigestMismatchError extends RegmirrorError {
  override readonly kind = 'digest-mismatch';
  override name = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
    what = 'content',
    /** What the bytes show of why, when they show it. */
    why?: string,
  ) {
    super(`${what} digest mismatch: expected ${expected}, got ${actual}${why ? `: ${why}` : ''}`);
  }
}

/** Content larger than we accept (manifests over 4 MiB) or larger than its descriptor said. */
export class SizeLimitError extends RegmirrorError {
  override readonly kind = 'size-limit';
  override name = 'SizeLimitError';
}

/** Well-formed input we do not handle: unknown digest algorithm, media type, manifest shape. */
export class UnsupportedError extends RegmirrorError {
  override readonly kind = 'unsupported';
  override name = 'UnsupportedError';
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

/** No answer at all from a host (DNS, refused, TLS, timeouts after every retry). */
export class UnreachableError extends RegmirrorError {
  override readonly kind = 'unreachable';
  override name = 'UnreachableError';
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
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

/** The run was interrupted (SIGINT/SIGTERM): nothing new starts. */
export class AbortedError extends RegmirrorError {
  override readonly kind = 'aborted';
  override name = 'AbortedError';
}

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

/** Why a TLS handshake was refused: what the user must change is different for each. */
export type TlsProblem = 'untrusted' | 'wrong-name' | 'expired' | 'not-tls' | 'client-cert' | 'speaks-tls' | 'h2-only';

/** A registry's certificate was refused (or it does not speak TLS): never retried, exit 3 like any unreachable host. */
export class TlsError extends UnreachableError {
  override name = 'TlsError';
  constructor(
    host: string,
    readonly problem: TlsProblem,
    message: string,
  ) {
    super(host, message);
  }
}

/**
 * The forward proxy the environment names (HTTPS_PROXY, HTTP_PROXY) refused to tunnel to a host,
 * or could not be reached: a setting to fix, never retried (every request would meet the same
 * refusal); exit 3 like any unreachable host. `status` is the proxy's answer to CONNECT, if any.
 * `passing`: the proxy refused or dropped the connection itself, as one does while it restarts
 * or fails over: retried like a registry's reset, the line the same once the attempts run out.
 */
export class ProxyError extends UnreachableError {
  override name = 'ProxyError';
  constructor(
    host: string,
    readonly status: number | undefined,
    message: string,
    readonly passing = false,
  ) {
    super(host, message);
  }
}

/**
 * An upload location the registry placed where no session can be reached: on plain http:// while
 * it is reached over https:// (a proxy in front of it ends TLS without saying so), or on another
 * port of its own host where nothing listens (a proxy passes it its name without the port), or on
 * another host whose name does not resolve or where nothing listens (a front end that names its
 * own internal address). Every session it opens is placed the same way, so a new one, or the same
 * request again, fails the same.
 */
export class MisplacedLocationError extends UnreachableError {
  override name = 'MisplacedLocationError';
}

/**
 * A redirect target's certs.d directory cannot be used (a *.crt that holds no certificate, a client
 * certificate without its key): found only when a blob is sent there, so not the usage error (exit
 * 2 before any request) that a registry's own directory is, but as lasting as a refused certificate.
 */
export class CertsDirError extends UnreachableError {
  override name = 'CertsDirError';
}

/** An unreachable host that asking again will not change: a refused certificate, a proxy's refusal, a misplaced upload location, an unusable certs.d. */
export function isLasting(err: unknown): boolean {
  return err instanceof TlsError || (err instanceof ProxyError && !err.passing) || err instanceof MisplacedLocationError || err instanceof CertsDirError;
}

/** Failures of a request the transport already asked again until its retry budget was spent, with how often it was asked. */
const askedInPlace = new WeakMap<object, number>();

/**
 * Marks `err` as the failure of a request asked `tries` times in place (an upload's session start
 * or chunk, registry/upload.ts): another whole upload would ask it as often again, so the copier
 * gives the blob up there (copy/upload.ts) rather than multiply the tries.
 */
export function retriedInPlace<E>(err: E, tries: number): E {
  if (typeof err === 'object' && err !== null) askedInPlace.set(err, tries);
  return err;
}

/**
 * `err` said as the last of `tries`: what it was and how often it was tried, then its own words (a
 * blob upload, a manifest PUT given up on); or, with no `what` (a read that spent its retries), its
 * own words and then how often. Same class and fields, so it is still handled by kind.
 */
export function triedOut<E extends Error>(err: E, what: string | undefined, tries: number): E {
  const count = tries === 1 ? 'once' : `${tries} times`;
  // Without a `what`, the line keeps its own start (the host, the request) and ends with the count.
  const message = what ? `${what}, tried ${count}; the last time: ${err.message}` : `${err.message} (tried ${count})`;
  const said = Object.create(Object.getPrototypeOf(err), { ...Object.getOwnPropertyDescriptors(err), message: { value: message, writable: true, configurable: true } }) as E;
  // -v prints the stack, whose first line holds the message: the new one there too, the frames kept.
  if (typeof err.stack === 'string' && err.message !== '') {
    const head = err.stack.split('\n    at ')[0] ?? '';
    said.stack = head.replace(err.message, () => message) + err.stack.slice(head.length);
  }
  told.set(said, { err, what, tries });
  return said;
}

/** What triedOut said an error of: the failure itself, what it was, how often it was tried. */
const told = new WeakMap<object, { err: Error; what: string | undefined; tries: number }>();

/** How often triedOut said `err` was tried, or undefined. */
export function triesTold(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? told.get(err)?.tries : undefined;
}

/** `err` said by triedOut again with `tries` in all: an operation that repeated the request whole (the copier reading a blob again). */
export function triedInAll(err: unknown, tries: number): unknown {
  const said = typeof err === 'object' && err !== null ? told.get(err) : undefined;
  return said && tries > said.tries ? triedOut(said.err, said.what, tries) : err;
}

/** How often the request `err` failed was asked in place (retriedInPlace), or undefined. */
export function triesInPlace(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? askedInPlace.get(err) : undefined;
}
