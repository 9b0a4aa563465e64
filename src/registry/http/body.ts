// Reading response bodies: capped reads for manifests and error bodies, and draining what we
// do not need so the connection (and the lane slot) is given back.
import type { Readable } from 'node:stream';
export { readCapped } from '../../content/read.js';

/** Reads at most `cap` bytes and drops the rest (error bodies: what they say fits in 64 KiB). */
export async function readPrefix(body: Readable, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).byteLength;
      if (total >= cap) break; // leaving the loop destroys the stream
    }
  } catch {
    // a broken error body still leaves the status to report
  }
  return Buffer.concat(chunks, total).subarray(0, cap);
}

/** Throws the body away: drained when small (keeps the connection), destroyed otherwise. */
export function discard(body: Readable, contentLength?: string): void {
  const length = contentLength === undefined ? NaN : Number(contentLength);
  if (Number.isFinite(length) && length <= 64 * 1024) {
    body.on('error', () => {});
    body.resume();
  } else {
    body.destroy();
  }
}

/** The error of a body destroyed under its reader without one (Node's own code for it). */
export function prematureClose(): Error {
  return Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
