// The CAs every registry is verified against. Node trusts the roots compiled into it (and
// NODE_EXTRA_CA_CERTS); Go programs (skopeo, podman, crane, oras, regctl) trust this machine's
// store instead, where an enterprise CA is installed (update-ca-certificates, update-ca-trust)
// or SSL_CERT_FILE / SSL_CERT_DIR point. A registry signed by such a CA worked with them and was
// "not trusted" here, and `engine: skopeo` copied where planning had been refused. Both count now.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

// Go's crypto/x509 (root_linux.go): the first of these that reads is the system's bundle.
const BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine (ca-certificates)
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL 6
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS, RHEL 7
  '/etc/ssl/cert.pem', // Alpine
];

let roots: string[] | undefined;

/** Node's roots, NODE_EXTRA_CA_CERTS's and the system store's (SSL_CERT_FILE or its bundle, and SSL_CERT_DIR's files), read once. */
export function trustedRoots(): string[] {
  roots ??= [...rootCertificates, ...envExtraCa(), ...systemCa()];
  return roots;
}

let shared: SecureContext | undefined;

/**
 * The one context of every TLS connection that has no CA of its own (a registry without caFile or
 * certs.d, an https:// proxy, a release server): trustedRoots(), parsed once (~40 ms of CPU);
 * undefined when the store adds nothing, as Node's default context then trusts the same.
 */
export function storeContext(): SecureContext | undefined {
  if (systemCa().length === 0) return undefined;
  shared ??= createSecureContext({ ca: trustedRoots(), allowPartialTrustChain: true });
  return shared;
}

let system: string[] | undefined;

function systemCa(): string[] {
  if (system) return system;
  const file = process.env.SSL_CERT_FILE;
  const bundle = (file ? [file] : BUNDLES).map(readPem).find((pem) => pem !== undefined);
  // The default directories (/etc/ssl/certs) hold the bundle's certificates again: read only a named one.
  const dirs = (process.env.SSL_CERT_DIR ?? '').split(':').filter(Boolean);
  const fromDirs = dirs.flatMap((dir) => entries(dir).map((name) => readPem(join(dir, name))));
  system = [bundle, ...fromDirs].filter((pem): pem is string => pem !== undefined);
  return system;
}

/** The file's text when it holds a PEM certificate; undefined otherwise (unreadable, missing: Go skips those too). */
function readPem(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : undefined;
  } catch {
    return undefined;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The certificates of NODE_EXTRA_CA_CERTS; none when unset or unreadable (Node has warned then). */
function envExtraCa(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    // Node printed "Warning: Ignoring extra certs from …" at start-up.
    return [];
  }
}
