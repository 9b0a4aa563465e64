// Reading a whole stream into memory, under a cap: manifests, token and error bodies, and the
// small blobs the copier verifies before any destination sees a byte.
import { finished, type Readable } from 'node:stream';
import { SizeLimitError } from '../types/errors.js';

/**
 * Reads the whole body; over `cap` bytes it destroys the stream and throws SizeLimitError.
 * 'data' events rather than `for await`: a run reads thousands of bodies, and the async
 * iterator's promise per chunk cost more than the copying.
 */
export function readCapped(body: Readable, cap: number, what = 'response'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let over = false;
    body.on('data', (chunk: Buffer) => {
      if (over) return;
      total += chunk.byteLength;
      if (total > cap) {
        over = true;
        body.destroy();
        reject(new SizeLimitError(`${what} is larger than ${cap} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    finished(body, (err) => {
      if (over) return;
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, total));
    });
  });
}
