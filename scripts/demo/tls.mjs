// The demo's "ghcr" speaks HTTPS, as every real registry does, with a certificate from a CA the
// demo makes (openssl): mirrors.yaml trusts it with `caFile`, the way a registry behind a
// company's own CA is configured. The CA's certificate stays in the demo directory beside the
// config that names it; the keys live in a temp dir that goes with the demo.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Agent } from 'undici';
import { tempDir } from './registries.mjs';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A CA (`caFile`, copied into `demoDir`), a server certificate it signed for 127.0.0.1 and
 * localhost, a cert dir for skopeo (`--cert-dir`: it holds `ca.crt`), and an undici dispatcher
 * that trusts the CA, for the demo's own raw HTTP.
 */
export async function demoCa(demoDir) {
  const dir = tempDir('regmirror-demo-tls-');
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') };
  await openssl(['req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-subj', '/CN=regmirror demo CA', '-days', '2']);
  const server = { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
  const csr = join(dir, 'server.csr');
  await openssl(['req', ...EC, '-keyout', server.key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', server.cert, '-days', '2', '-extfile', ext]);
  const caFile = join(demoDir, 'ca.pem');
  copyFileSync(ca.cert, caFile);
  const certDir = join(dir, 'certs.d');
  mkdirSync(certDir);
  copyFileSync(ca.cert, join(certDir, 'ca.crt'));
  return { caFile, certDir, server, dispatcher: new Agent({ connect: { ca: readFileSync(ca.cert, 'utf8') } }) };
}

async function openssl(args) {
  await execa('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
