// What a `caFile` must hold, checked before any request: Node's TLS reads PEM only, and it drops a
// block it cannot read without a word, with every block after it, so a bad file would surface
// mid-run as "certificate not trusted" with the very file that was meant to trust it.
import { readFile } from 'node:fs/promises';
import { certificatesProblem } from '../types/certificates.js';

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
