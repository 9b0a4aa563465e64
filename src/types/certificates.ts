// Whether PEM text holds CA certificates Node's TLS can use. Node reads PEM only, and it drops a
// block it cannot read without a word, with every block after it: a bad file would surface mid-run
// as "certificate not trusted" with the very file that was meant to trust it. Asked of a caFile
// (config/ca-file.ts) and of a certs.d directory's *.crt (registry/http/certs-d.ts).
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Why the PEM text read from `file` cannot serve as CA certificates, or undefined when every one in it reads (certs.d's *.crt too). */
export function certificatesProblem(file: string, bytes: Buffer): string | undefined {
  const blocks = pemBlocks(bytes);
  if (blocks.length === 0) {
    if (readsAsCertificate(bytes)) return `${file} is a DER (binary) certificate, and only PEM is read: convert it with \`openssl x509 -inform der -in ${file} -out ca.pem\``;
    // The registry's key given for its CA (newuser hunt: the two files side by side, domain.key
    // taken for domain.crt): say what the file is, not only what it lacks.
    const other = /-----BEGIN ((?:[A-Z]+ )?PRIVATE KEY|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST|PUBLIC KEY)-----/.exec(bytes.toString('latin1'))?.[1];
    if (other) {
      const what = other.includes('PRIVATE KEY') ? 'a private key' : other.includes('REQUEST') ? 'a certificate request' : 'a public key';
      return `${file} holds ${what} (BEGIN ${other}) and no certificate: give the certificate of the CA that signed the registry's (-----BEGIN CERTIFICATE-----), not ${what}`;
    }
    return `${file} holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`;
  }
  for (const [i, block] of blocks.entries()) {
    if (!readsAsCertificate(block)) {
      const which = blocks.length === 1 ? 'the certificate' : `certificate ${i + 1} of ${blocks.length}`;
      return `${which} in ${file} is not a readable X.509 certificate (a damaged or cut copy?); with it, Node would ignore the rest of the file`;
    }
  }
  return undefined;
}

/**
 * The PEM certificates of `bytes`, one block after another, each at a line's start: Go's reader
 * (skopeo's) takes a block only there, so one after a byte order mark (a file Notepad saved) was
 * not found, where Node's reader finds it.
 */
export function pemCertificates(bytes: Buffer): string {
  return pemBlocks(bytes).map((block) => `${block}\n`).join('');
}

/** Every BEGIN/END CERTIFICATE block of `bytes`, wherever it starts. */
function pemBlocks(bytes: Buffer): string[] {
  return bytes.toString('latin1').match(PEM_BLOCK) ?? [];
}

function readsAsCertificate(data: string | Buffer): boolean {
  try {
    new X509Certificate(data);
    return true;
  } catch {
    return false;
  }
}
