// A host that gave no answer at all, and the kinds of it that asking again will not change: a
// refused certificate, a proxy's refusal, a misplaced upload location, an unusable certs.d.
import { RegmirrorError } from './base-errors.js';

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
