// Certificate failures become one line a person can act on (issue 9): which host, what is wrong
// with its certificate, and what to set in mirrors.yaml. They are not retried (the certificate will
// not change within the run), and once one origin has failed a handshake its later requests fail
// at once with the same error instead of shaking hands again. The remedies each line gives are in
// tls-remedies.ts; a TLS port asked in plain HTTP is told apart in https-only.ts.
import { isLasting, ProxyError, TlsError, UnreachableError, type TlsProblem } from '../../types/errors.js';
import { realmRemedy } from './realm-tls.js';
import type { CertsDir } from './certs-d.js';
import { httpsOnly } from './https-only.js';
import { REMEDY, type Failure, type PlainEntry } from './tls-remedies.js';
import type { HttpRequest, Send } from './types.js';

// Node's (OpenSSL's) codes for each problem.
const PROBLEMS: Record<string, TlsProblem> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  CERT_REJECTED: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-name',
  HOSTNAME_MISMATCH: 'wrong-name',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  // The server's alerts when it wants a client certificate (mTLS), TLS 1.2 and 1.3.
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client-cert',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'client-cert',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client-cert',
  // The server's alert when no protocol offered by ALPN suits it: a front end that speaks only
  // HTTP/2, asked for HTTP/1.1 alone (the upload pool, pool.ts, or `http2: false`).
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'h2-only',
};

/**
 * The TlsError for a failed request, or undefined when `e` is not a certificate problem; `caFile`
 * when the registries: entry for `host` gives one (the remedy is then about what is in it); `realm`
 * when the certificate is that of the host's token service on another origin (realm-tls.ts);
 * `certs` the host's certs.d directories (certs-d.ts), named in the remedy, or the realm's when
 * `realmOwn` (a realm trusted as its own host: see CertEntry).
 */
export function tlsError(host: string, e: unknown, caFile = false, realm?: string, certs?: CertsDir, realmOwn?: 'plain' | 'entry'): TlsError | undefined {
  if (e instanceof TlsError) return e;
  const found = tlsFailure(e);
  if (!found) return undefined;
  const { failure, code, problem } = found;
  const remedy = realm ? realmRemedy(host, realm, problem, code, failure, realmOwn ? certs : undefined, { caFile, certs }, realmOwn === 'entry') : REMEDY[problem](host, code, caFile, failure, certs);
  return new TlsError(host, problem, `${host}: ${remedy}`);
}

/** The certificate problem behind a failed connection (Node's error or its cause), if it is one. */
export function tlsFailure(e: unknown): { failure: Failure; code: string; problem: TlsProblem } | undefined {
  const err = e as Failure & { cause?: Failure };
  const failure = [err, err?.cause].find((f): f is Failure => f?.code !== undefined && f.code in PROBLEMS);
  return failure ? { failure, code: failure.code!, problem: PROBLEMS[failure.code!]! } : undefined;
}

/**
 * Remembers a refused handshake (or a proxy's refusal to tunnel: proxy-tunnel.ts) per origin so that later
 * requests fail at once, and the same way; `onRefused` hears of each origin once (the CLI says it
 * as one warning line). A proxy that dropped connections until a request's attempts ran out is
 * believed down for PROXY_DOWN_MS only: a long sync, and the gateway, find it again once it is back.
 * Other verdicts stand for `lastingMs` (a run: for good; the gateway: a while, then asked again,
 * and said again if the origin answered in between and then refused anew).
 */
export function withTlsVerdicts(next: Send, onRefused?: (e: UnreachableError) => void, entryFor: (url: URL) => PlainEntry = (url) => ({ host: url.host }), lastingMs = Infinity): Send {
  const refused = new Map<string, { err: UnreachableError; until: number }>();
  const said = new Set<string>();
  return async (req: HttpRequest) => {
    const origin = req.url.origin;
    const known = refused.get(origin);
    if (known && Date.now() < known.until) throw known.err;
    try {
      const res = await next(req);
      if (known) {
        refused.delete(origin);
        said.delete(origin);
      }
      return res.status === 400 && req.url.protocol === 'http:' ? await httpsOnly(res, req, entryFor, next) : res;
    } catch (e) {
      const down = e instanceof ProxyError && e.passing;
      const live = refused.get(origin);
      if (e instanceof UnreachableError && (isLasting(e) || down) && !(live && Date.now() < live.until)) {
        refused.set(origin, { err: e, until: Date.now() + (down ? PROXY_DOWN_MS : lastingMs) });
        if (!said.has(origin)) onRefused?.(e);
        said.add(origin);
      }
      throw e;
    }
  };
}

/** How long a proxy that kept dropping connections is believed down before it is asked again. */
export const PROXY_DOWN_MS = 30_000;
