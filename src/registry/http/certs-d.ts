// skopeo, podman and docker trust a private registry by files in a directory named after it
// (certs.d/HOST:PORT/: *.crt CAs, *.cert + *.key a client certificate for mutual TLS). A registry
// set up that way worked for them and not for regmirror, and `engine: skopeo` copied through it
// while planning and verification were refused. regmirror reads the same directories, as
// containers/image does: the first that exists of ~/.config/containers/certs.d/HOST,
// /etc/containers/certs.d/HOST and /etc/docker/certs.d/HOST.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../types/errors.js';
import { certificatesProblem } from '../../types/certificates.js';
import { certificateDate } from './lapsed.js';

/** What a host's certs.d directory gives: CAs to trust, and a client certificate with its key. */
export interface HostCerts {
  /** The host the directory is named after (`registry.internal:5000`). */
  host: string;
  dir: string;
  ca: string[];
  client?: { certFile: string; cert: string; key: string };
}

/** The certs.d roots, in the order looked in; REGMIRROR_CERTS_D (`:`-separated) replaces them (tests, odd layouts). */
export function certsRoots(): string[] {
  const env = process.env.REGMIRROR_CERTS_D;
  if (env !== undefined) return env.split(':').filter(Boolean);
  return [join(homedir(), '.config/containers/certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d'];
}

/** The directories looked in for a host, and the first that exists (the one read). */
export interface CertsDir {
  looked: string[];
  found?: string;
  /** The client certificate found there (set once it is read: hostCerts). */
  client?: string;
  /** Its dates, issuer and usage, when they read. */
  clientFacts?: ClientFacts;
}

/**
 * What a refusal of a client certificate may owe to the certificate itself, read once: its dates
 * (ISO), its issuer, and its extended key usage (OIDs; undefined when it has none, which allows any).
 */
export interface ClientFacts { from: string; until: string; issuer?: string; usage?: string[] }

/** The facts of a client certificate (PEM), or undefined when it does not parse (Node's TLS says that itself). */
export function clientFacts(pem: string): ClientFacts | undefined {
  try {
    const cert = new X509Certificate(pem);
    const issuer = cert.issuer.split('\n').filter(Boolean).reverse().join(', ');
    return { from: certificateDate(cert.validFrom), until: certificateDate(cert.validTo), issuer, ...(cert.keyUsage ? { usage: cert.keyUsage } : {}) };
  } catch {
    return undefined;
  }
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_USAGE = '2.5.29.37.0';

/**
 * What a refusal of the client certificate owes to the certificate itself, if anything. A registry
 * (or its token service) refuses an expired one, or one issued for servers only (Go verifies the
 * clientAuth usage), with the alert it sends for one it does not know (Go's server: bad_certificate):
 * said as 'the registry must accept it', operators looked at its clientcas while the certificate
 * was at fault.
 */
export function clientUnfit(facts: ClientFacts | undefined, now = Date.now()): string | undefined {
  if (facts && Date.parse(facts.until) < now) return ` and which expired on ${facts.until}: put a renewed one there with its key`;
  if (facts && Date.parse(facts.from) > now) return ` and which is valid only from ${facts.from}: check this machine's clock, which may be behind, or put a current one there with its key`;
  if (facts?.usage && !facts.usage.includes(CLIENT_AUTH) && !facts.usage.includes(ANY_USAGE)) {
    return ` and which is not issued for client authentication (its extended key usage lacks clientAuth${facts.usage.includes('1.3.6.1.5.5.7.3.1') ? ': serverAuth only, a server\'s certificate' : ''}): put there one issued with extendedKeyUsage=clientAuth, with its key`;
  }
  return undefined;
}

/** ' (issued by CN=…)' for a refused client certificate whose own fault is not seen: the CA the registry's clientcas must hold. */
export function clientIssuer(facts: ClientFacts | undefined): string {
  return facts?.issuer ? `, issued by ${facts.issuer}` : '';
}

/** The certs.d directories of `hostPort` (`quay.io`, `registry.internal:5000`). */
export function certsDirFor(hostPort: string): CertsDir {
  const looked = certsRoots().map((root) => join(root, hostPort));
  return { looked, found: looked.find((dir) => existsSync(dir)) };
}

/** The certs.d directory found for `hostPort` read, or undefined when none; a client key without its certificate (or the reverse) is a usage error, as for skopeo. */
export function hostCerts(where: CertsDir, hostPort: string): HostCerts | undefined {
  const dir = where.found;
  if (!dir) return undefined;
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name));
    } catch (e) {
      throw new UsageError(`certs.d for ${hostPort}: cannot read ${join(dir, name)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  // Node's TLS skips a block it cannot read, without a word: the line would be 'not trusted'.
  // The bytes as read: a DER file decoded as text first would read as 'no PEM' instead of as DER.
  const readCa = (name: string) => {
    const bytes = read(name);
    const problem = certificatesProblem(join(dir, name), bytes);
    if (problem) throw new UsageError(`certs.d for ${hostPort}: ${problem}: put there the CA certificate (PEM) that signed ${hostPort}'s, or remove the file`);
    return bytes.toString('utf8');
  };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new UsageError(`certs.d for ${hostPort}: cannot read the directory ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const certs: HostCerts = { host: hostPort, dir, ca: names.filter((n) => n.endsWith('.crt')).map(readCa) };
  for (const name of names) {
    const base = name.replace(/\.(cert|key)$/, '');
    if (base === name) continue;
    const other = name.endsWith('.cert') ? `${base}.key` : `${base}.cert`;
    if (!names.includes(other)) {
      const remedy = name.endsWith('.cert') ? `put its key there as ${other}, or remove ${name} (a CA certificate's name ends in .crt)` : `put its certificate there as ${other}, or remove ${name}`;
      throw new UsageError(`certs.d for ${hostPort}: ${join(dir, name)} has no ${other} beside it (a client certificate needs its key, and the reverse): ${remedy}`);
    }
    if (!name.endsWith('.cert') || certs.client) continue;
    const [cert, key] = [read(name).toString('utf8'), read(other).toString('utf8')];
    const problem = pairProblem(join(dir, name), cert, join(dir, other), key);
    if (problem) throw new UsageError(`certs.d for ${hostPort}: ${problem}`);
    certs.client = { certFile: join(dir, name), cert, key: plainKey(key, join(dir, other), hostPort) };
  }
  return certs;
}

// A certificate and key given each other's names (or a key where the certificate belongs) read as
// 'do not make a pair (PEM routines::no start line): put that certificate's own key beside it',
// which sent users to look for another key (newuser2 hunt). Say what each file holds.
const CERTIFICATE = /^-----BEGIN CERTIFICATE-----/m;
const PRIVATE_KEY = /^-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/m;

function pairProblem(certFile: string, cert: string, keyFile: string, key: string): string | undefined {
  const [certOk, keyOk] = [CERTIFICATE.test(cert), PRIVATE_KEY.test(key)];
  if (!certOk && !keyOk && PRIVATE_KEY.test(cert) && CERTIFICATE.test(key)) {
    return `${certFile} holds a private key and ${keyFile} a certificate: the two are swapped; exchange their names (the certificate is the .cert, its key the .key)`;
  }
  if (!certOk) return `${certFile} holds no PEM certificate${PRIVATE_KEY.test(cert) ? ' but a private key' : ''}: put the client certificate there (-----BEGIN CERTIFICATE-----), its key in ${keyFile}`;
  if (!keyOk) return `${keyFile} holds no PEM private key${CERTIFICATE.test(key) ? ' but a certificate' : ''}: put the key of ${certFile} there (-----BEGIN … PRIVATE KEY-----)`;
  return undefined;
}

// A key under a passphrase fails in Node's TLS as 'bad decrypt', which read as a key that is not
// the certificate's ('do not make a pair: put that certificate's own key beside it'): it was.
// Neither regmirror nor skopeo asks for a passphrase ('tls: failed to parse private key').
const ENCRYPTED = /^-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;

/** `key` as read, or a usage error when it is under a passphrase. */
function plainKey(key: string, file: string, hostPort: string): string {
  if (!ENCRYPTED.test(key)) return key;
  throw new UsageError(`certs.d for ${hostPort}: ${file} is encrypted (a passphrase), which regmirror, as skopeo, cannot read: write it out without one (openssl pkey -in client.key -out client.key.new, then put that in its place), and keep the directory readable by this user alone`);
}
