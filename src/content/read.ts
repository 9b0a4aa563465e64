// Reading a whole stream into memory, under a cap: manifests, token and error bodies, and the
// small blobs the copier verifies before any destination sees a byte.
import type { Readable } from 'node:stream';
import { SizeLimitError } from '../types/errors.js';

/** Reads the whole body; over `cap` bytes it destroys the stream and throws SizeLimitError. */
export async function readCapped(body: Readable, cap: number, what = 'response'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).byteLength;
    if (total > cap) {
      body.destroy();
      throw new SizeLimitError(`${what} is larger than ${cap} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}
