// Keys other tools give a registry's TLS that users carry over into a `registries:` entry:
// registries.conf's `insecure = true`, skopeo's `--tls-verify=false` and `--cert-dir`, Go's
// InsecureSkipVerify, helm's --insecure-skip-tls-verify, docker's --tlscacert, regsync's `regcert`.
// "unknown key", with the list of allowed keys (or "did you mean tls?" for tlsVerify), left the
// user a second round trip (`tls: false` is refused in turn); say the line to write instead.

const SKIPS = new Set(['insecure', 'insecureregistry', 'allowinsecure', 'skipverify', 'skiptlsverify', 'insecureskipverify', 'insecureskiptlsverify', 'skipsslverify', 'nosslverify', 'noverify', 'tlsinsecure', 'tlsskipverify']);
const VERIFIES = new Set(['tlsverify', 'verifytls', 'sslverify', 'verifyssl', 'verifycertificate', 'verifycert', 'verify']);
const CAS = new Set(['ca', 'cacert', 'cacerts', 'cacertificate', 'cacertfile', 'cabundle', 'capath', 'tlscacert', 'rootca', 'rootcas', 'certificateauthority', 'regcert']);
// docker's --tlscert/--tlskey and most tools' cert/key are the client's own (mutual TLS), not a CA.
const CLIENT = new Set(['cert', 'certificate', 'certfile', 'tlscert', 'sslcert', 'clientcert', 'clientcertificate', 'key', 'keyfile', 'tlskey', 'sslkey', 'clientkey']);
const CERT_DIRS = new Set(['certdir', 'certsdir', 'certsd', 'certpath']);

/** What to write in a registry entry instead of `key` (another tool's TLS key), or undefined. */
export function borrowedTlsKey(key: string, value: unknown, host: string): string | undefined {
  const word = key.toLowerCase().replace(/[-_.]/g, '');
  const skip = SKIPS.has(word) ? value !== false : VERIFIES.has(word) ? value === false : undefined;
  if (skip === true) return 'write `tls: insecure` there (TLS without verifying the certificate; `tls: disabled` is plain HTTP)';
  // Loopback hosts default to plain HTTP, so "verify" is not always the default there.
  if (skip === false) return 'write `tls: verify` there, or nothing where the registry is not on loopback (certificates are verified by default), with `caFile: PATH` for a private CA';
  if (CAS.has(word)) return `write \`caFile: PATH\` there, the path of a PEM file holding the CA that signed the registry's certificate${word === 'regcert' ? ' (a file, not the PEM text itself)' : ''}`;
  if (CLIENT.has(word)) return `a client certificate (mutual TLS) and its key go in certs.d, as client.cert and client.key in ~/.config/containers/certs.d/${host}, where skopeo and podman read them too; the CA that signed the registry's certificate is \`caFile: PATH\` there`;
  if (CERT_DIRS.has(word)) return `regmirror reads skopeo's and podman's certs.d itself (ca.crt in ~/.config/containers/certs.d/${host}, or /etc/containers/certs.d/${host}); or give the CA as \`caFile: PATH\` there`;
  return undefined;
}
