// A client's Range on a blob the gateway streams. containers/image (podman, skopeo, cri-o) carries
// a broken layer download on with `Range: bytes=N-` and fails the pull on a 200 ("server did not
// process a Range: header"); the gateway answered every Range with the whole blob. A range from N
// to the end, what resuming clients ask, is now a 206; the gateway still reads the whole blob from
// its backend and proves it, sending from byte N on (the bytes before are read and dropped). Other
// ranges get the whole blob, a 200, as HTTP lets a server answer any Range. Pure.
import { Transform } from 'node:stream';

/** N when `header` asks for a blob of `size` bytes from byte N to its end (0 <= N < size); else undefined. */
export function rangeFrom(header: string | undefined, size: number | undefined): number | undefined {
  const m = header === undefined || size === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : size! - 1;
  return Number.isSafeInteger(start) && start < size! && end >= size! - 1 ? start : undefined;
}

/**
 * The status and headers of the verified bytes of blob `digest` (`size` bytes, when known) for a
 * client's `range`: a 206 from byte `from` to the end, else the whole blob, a 200.
 */
export function blobHead(digest: string, size: number | undefined, range: string | undefined): { status: 200 | 206; headers: Record<string, string>; from?: number } {
  const type = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest };
  const from = rangeFrom(range, size);
  if (from === undefined) return { status: 200, headers: { ...(size !== undefined && { 'content-length': String(size) }), ...type } };
  return { status: 206, headers: { ...type, 'content-range': `bytes ${from}-${size! - 1}/${size}`, 'content-length': String(size! - from) }, from };
}

/** Drops the first `n` bytes that pass through. */
export function skipping(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      done(null, rest);
    },
  });
}
