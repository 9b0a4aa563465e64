// What a `caFile` must hold, checked before any request: Node's TLS reads PEM only, and it drops a
// block it cannot read without a word, with every block after it, so a bad file would surface
// mid-run as "certificate not trusted" with the very file that was meant to trust it.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Why `file` cannot serve as a caFile, or undefined when every certificate in it reads. */
export async function caFileProblem(file: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `no such file ${file}`;
    if (code === 'EISDIR') return `${file} is a directory: give one file of PEM certificates (the CA files put together with cat)`;
    return `cannot read ${file} (${code ?? String(e)})`;
  }
  return certificatesProblem(file, bytes);
}

/** Why the PEM text read from `file` cannot serve as CA certificates, or undefined when every one in it reads (certs.d's *.crt too). */
export function certificatesProblem(file: string, bytes: Buffer): string | undefined {
  const blocks = bytes.toString('latin1').match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    if (readsAsCertificate(bytes)) return `${file} is a DER (binary) certificate, and only PEM is read: convert it with \`openssl x509 -inform der -in ${file} -out ca.pem\``;
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

function readsAsCertificate(data: string | Buffer): boolean {
  try {
    new X509Certificate(data);
    return true;
  } catch {
    return false;
  }
}
