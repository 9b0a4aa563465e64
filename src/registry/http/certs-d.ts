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

/** A client certificate's dates (ISO), read once: a refusal of it says whether it was out of them then. */
export interface ClientDates { from: string; until: string }

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
  /** Its dates, when they read. */
  clientDates?: ClientDates;
}

/** The dates of a client certificate (PEM), or undefined when it does not parse (Node's TLS says that itself). */
export function clientDates(pem: string): ClientDates | undefined {
  try {
    const cert = new X509Certificate(pem);
    return { from: certificateDate(cert.validFrom), until: certificateDate(cert.validTo) };
  } catch {
    return undefined;
  }
}

/**
 * What a refusal of the client certificate owes to its dates, if anything. A registry (or its token
 * service) refuses an expired one with the alert it sends for one it does not know (Go's server:
 * bad_certificate): said as 'the registry must accept it', operators looked at its clientcas while
 * the certificate had lapsed.
 */
export function clientOutOfDates(dates: ClientDates | undefined, now = Date.now()): string | undefined {
  if (dates && Date.parse(dates.until) < now) return ` and which expired on ${dates.until}: put a renewed one there with its key`;
  if (dates && Date.parse(dates.from) > now) return ` and which is valid only from ${dates.from}: check this machine's clock, which may be behind, or put a current one there with its key`;
  return undefined;
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
    if (name.endsWith('.cert') && !certs.client) certs.client = { certFile: join(dir, name), cert: read(name).toString('utf8'), key: plainKey(read(other).toString('utf8'), join(dir, other), hostPort) };
  }
  return certs;
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
