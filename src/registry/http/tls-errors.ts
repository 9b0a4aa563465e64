// Certificate failures become one line a person can act on (issue 9): which host, what is wrong
// with its certificate, and what to set in mirrors.yaml. They are not retried (the certificate will
// not change within the run), and once one origin has failed a handshake its later requests fail
// at once with the same error instead of shaking hands again.
import { TlsError, type TlsProblem } from '../../types/errors.js';
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
};

// The certificate's issuer was found nowhere: neither among the trusted CAs nor in the chain the
// server sent. With a `caFile` given, that is the wrong CA in it, or a server sending its leaf
// without the intermediate that links it to the CA.
const NO_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

const REMEDY: Record<TlsProblem, (host: string, code: string, caFile: boolean) => string> = {
  untrusted: (host, code, caFile) =>
    caFile && NO_ISSUER.has(code)
      ? `its TLS certificate is not trusted (${code}) with the \`caFile\` under registries: ${host}: that file must hold the CA that signed it, and the intermediate certificate too when the registry does not send it; or set \`tls: insecure\` there to skip verification`
      : `its TLS certificate is not trusted (${code}): give ${code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'that self-signed certificate itself' : 'the CA that signed it'} as \`caFile\` under registries: ${host}, or set \`tls: insecure\` there to skip verification`,
  'wrong-name': (host, code) => `its TLS certificate does not match the name ${host} (${code}): use the name the certificate was issued for (\`endpoint\`), or set \`tls: insecure\` under registries: ${host}`,
  expired: (host, code) => `its TLS certificate has expired or is not yet valid (${code}): the registry must renew it; \`tls: insecure\` under registries: ${host} skips verification meanwhile`,
  'not-tls': (host, code) => `it does not speak TLS on this port (${code}): if it is plain HTTP, set \`tls: disabled\` under registries: ${host}`,
};

/**
 * The TlsError for a failed request, or undefined when `e` is not a certificate problem; `caFile`
 * when the registries: entry for `host` gives one (the remedy is then about what is in it).
 */
export function tlsError(host: string, e: unknown, caFile = false): TlsError | undefined {
  if (e instanceof TlsError) return e;
  const err = e as { code?: string; cause?: { code?: string } };
  const code = [err?.code, err?.cause?.code].find((c): c is string => c !== undefined && c in PROBLEMS);
  if (!code) return undefined;
  const problem = PROBLEMS[code]!;
  return new TlsError(host, problem, `${host}: ${REMEDY[problem](host, code, caFile)}`);
}

/**
 * Remembers a refused handshake per origin so that later requests fail at once, and the same way;
 * `onRefused` hears of each origin once (the CLI says it as one warning line).
 */
export function withTlsVerdicts(next: Send, onRefused?: (e: TlsError) => void): Send {
  const refused = new Map<string, TlsError>();
  return async (req: HttpRequest) => {
    const known = refused.get(req.url.origin);
    if (known) throw known;
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof TlsError && !refused.has(req.url.origin)) {
        refused.set(req.url.origin, e);
        onRefused?.(e);
      }
      throw e;
    }
  };
}
