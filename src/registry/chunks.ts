// Re-slices bytes or a stream into fixed-size chunks for PATCH uploads.
import type { Readable } from 'node:stream';

/** Yields `size`-byte chunks (the last may be shorter) from a buffer or a stream. */
export async function* chunksOf(source: Buffer | Readable, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let at = 0; at < source.byteLength; at += size) yield source.subarray(at, at + size);
    return;
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let data = piece as Buffer;
    while (data.byteLength > 0) {
      const take = Math.min(size - pendingBytes, data.byteLength);
      pending.push(data.subarray(0, take));
      pendingBytes += take;
      data = data.subarray(take);
      if (pendingBytes === size) {
        yield Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
