// A test CA and server certificates made with openssl, once per test process, so any test
// registry or proxy can serve HTTPS: one certificate that is right for 127.0.0.1 and localhost
// (and registry.proxy.test, the name the forward proxy maps to a registry),
// one for another name, one that expired yesterday, one self-signed (its own CA, as many private
// registries have); and a way for this process to trust them.
import { copyFile, writeFile, readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { execa } from 'execa';
import { Agent, setGlobalDispatcher } from 'undici';
import './fetch.js';
import { scratchDir } from './scratch.js';
import { PROXIED_NAME } from './forward-proxy.js';

/** A certificate and its key (PEM files). */
export interface ServerCert { cert: string; key: string }

/**
 * Which server certificate: right for 127.0.0.1, for another name, expired, self-signed, or
 * `leafOnly`: signed by an intermediate CA (itself signed by the test CA) that the server does
 * not send, so the test CA alone cannot verify it (a registry configured with its leaf only);
 * `expiredIntermediate`: a valid leaf sent with the intermediate CA that signed it, which expired;
 * `commonNameOnly`: `localhost` in its subject's CN and no subjectAltName, which Node still reads
 * and Go (skopeo) has refused since 1.15 (reach the registry as localhost:PORT).
 */
export type CertKind = 'good' | 'wrongName' | 'expired' | 'selfSigned' | 'leafOnly' | 'expiredIntermediate' | 'commonNameOnly';

/** The test CA and the server certificates it signed. */
export interface TestCerts {
  dir: string;
  /** The CA certificate (PEM): what a mirrors.yaml `caFile` points at. */
  caFile: string;
  /** A directory holding only `ca.crt`, for skopeo's --cert-dir. */
  certDir: string;
  /** The same for the self-signed certificate, which is its own CA (its `caFile` is its `cert`). */
  selfSignedCertDir: string;
  /** The test CA and the intermediate that signed `leafOnly`, in one PEM file, and as a cert dir. */
  chainFile: string;
  chainCertDir: string;
  /** The intermediate CA alone (PEM): it signed `leafOnly`. */
  intermediateFile: string;
  servers: Record<CertKind, ServerCert>;
  /** A client certificate the test CA signed (mutual TLS: a registry's `clientCerts`). */
  client: ServerCert;
  /** The same, expired yesterday. */
  expiredClient: ServerCert;
}

let certs: Promise<TestCerts> | undefined;

/** The process's test CA and certificates (made on first use, removed at exit). */
export function testCerts(): Promise<TestCerts> {
  certs ??= makeCerts();
  return certs;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A CA (self-signed, three days) named `name`, its files in `dir`. */
export async function makeCa(dir: string, name: string): Promise<ServerCert> {
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') };
  await openssl(['req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-subj', `/CN=${name}`, '-days', '3']);
  return ca;
}

/** A certificate for `san` (openssl's subjectAltName syntax) that `issuer` signed; one at a time per issuer (its serial file). */
export async function signCert(dir: string, issuer: ServerCert, name: string, san: string, days = '3', extensions = 'extendedKeyUsage=serverAuth'): Promise<ServerCert> {
  const out = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, `${san ? `subjectAltName=${san}\n` : ''}${extensions}\n`);
  await openssl(['req', ...EC, '-keyout', out.key, '-out', csr, '-subj', `/CN=${name}`]);
  // `-days -1` puts notAfter a day before now: a certificate that has expired.
  await openssl(['x509', '-req', '-in', csr, '-CA', issuer.cert, '-CAkey', issuer.key, '-CAcreateserial', '-out', out.cert, '-days', days, '-extfile', ext]);
  return out;
}

async function makeCerts(): Promise<TestCerts> {
  const dir = await scratchDir('tls');
  const ca = await makeCa(dir, 'regmirror test CA');
  const sign = (name: string, san: string, days: string, issuer = ca, extensions?: string) => signCert(dir, issuer, name, san, days, extensions);
  // One after another: each signing updates the CA's serial file.
  // registry.proxy.test: a registry reached through the test forward proxy, which alone knows that name.
  const good = await sign('good', `IP:127.0.0.1,IP:::1,DNS:localhost,DNS:${PROXIED_NAME}`, '3');
  const wrongName = await sign('wrong-name', 'DNS:registry.example.com', '3');
  const expired = await sign('expired', 'IP:127.0.0.1,DNS:localhost', '-1');
  const selfSigned = { cert: join(dir, 'self-signed.pem'), key: join(dir, 'self-signed.key') };
  await openssl(['req', '-x509', ...EC, '-keyout', selfSigned.key, '-out', selfSigned.cert, '-subj', '/CN=self-signed', '-days', '3',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'extendedKeyUsage=serverAuth']);
  const intermediate = await sign('intermediate', '', '3', ca, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign');
  const leafOnly = await sign('leaf-only', 'IP:127.0.0.1,DNS:localhost', '3', intermediate);
  const client = await sign('client', '', '3', ca, 'extendedKeyUsage=clientAuth');
  const expiredClient = await sign('expired-client', '', '-1', ca, 'extendedKeyUsage=clientAuth');
  const lapsed = await sign('lapsed-intermediate', '', '-1', ca, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign');
  const underLapsed = await sign('under-lapsed', 'IP:127.0.0.1,DNS:localhost', '3', lapsed);
  const expiredIntermediate = { cert: join(dir, 'under-lapsed-chain.pem'), key: underLapsed.key };
  await writeFile(expiredIntermediate.cert, (await readFile(underLapsed.cert, 'utf8')) + (await readFile(lapsed.cert, 'utf8')));
  const commonNameOnly = await sign('localhost', '', '3');
  const chainFile = join(dir, 'ca-and-intermediate.pem');
  await writeFile(chainFile, (await readFile(ca.cert, 'utf8')) + (await readFile(intermediate.cert, 'utf8')));
  const certDir = await certDirOf(join(dir, 'skopeo-certs'), ca.cert);
  const selfSignedCertDir = await certDirOf(join(dir, 'skopeo-self-signed'), selfSigned.cert);
  const chainCertDir = await certDirOf(join(dir, 'skopeo-chain'), ca.cert);
  await copyFile(intermediate.cert, join(chainCertDir, 'intermediate.crt'));
  return { dir, caFile: ca.cert, certDir, selfSignedCertDir, chainFile, chainCertDir, intermediateFile: intermediate.cert, servers: { good, wrongName, expired, selfSigned, leafOnly, expiredIntermediate, commonNameOnly }, client, expiredClient };
}

/** A directory holding only `ca.crt` (skopeo's --cert-dir layout). */
async function certDirOf(certDir: string, caCert: string): Promise<string> {
  mkdirSync(certDir);
  await copyFile(caCert, join(certDir, 'ca.crt'));
  return certDir;
}

/** What trusts a server using the `kind` certificate: the test CA, the self-signed certificate itself, or the CA with the missing intermediate. */
export function trustFor(certs: TestCerts, kind: CertKind): { caFile: string; certDir: string } {
  if (kind === 'selfSigned') return { caFile: certs.servers.selfSigned.cert, certDir: certs.selfSignedCertDir };
  if (kind === 'leafOnly') return { caFile: certs.chainFile, certDir: certs.chainCertDir };
  return { caFile: certs.caFile, certDir: certs.certDir };
}

async function openssl(args: string[]): Promise<void> {
  await execa('openssl', args, { stdin: 'ignore' });
}

let trusted = false;

/** Makes this process's fetch() (seeding, raw checks) trust the test CA and the self-signed certificate besides Node's roots. */
export async function trustTestCa(): Promise<void> {
  if (trusted) return;
  const certs = await testCerts();
  const ours = await Promise.all([certs.caFile, certs.servers.selfSigned.cert].map((f) => readFile(f, 'utf8')));
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ...ours] } }));
  trusted = true;
}
