// A client's Range on a blob the gateway streams or holds proven. containers/image (podman, skopeo,
// cri-o) carries a broken layer download on with `Range: bytes=N-` and fails the pull on a 200
// ("server did not process a Range: header"); containerd asks the same. Distribution 2.8 answers a
// single range as Go's http.ServeContent does, checked against docker-registry 2.8.2: `N-M` is a
// 206 of bytes N..M (M past the end: to the end), a suffix `-K` the last K bytes, a range starting
// at or past the end a 416 with `Content-Range: bytes */SIZE`. The gateway answers the same, still
// reading the whole blob from its backend and proving it: bytes outside the range are read and
// dropped, and the range's last bytes are held until the blob is proven, so a wrong blob never
// gives a client a whole range. Left as a 200 of the whole blob, as HTTP lets a server answer any
// Range: several ranges (distribution's multipart/byteranges; containers/image's partial pulls
// split a 200 into the parts they asked for), and a Range HTTP says to ignore or may be ignored
// (another unit, `N-M` with M < N, nonsense), which Go answers 416. No length known: a 200. Pure.
import { Transform } from 'node:stream';

/** The bytes `from`..`to` (inclusive) of a blob, or 'unsatisfiable' (distribution's 416). */
export type BlobRange = { from: number; to: number } | 'unsatisfiable';

/** The single byte range `header` asks of a blob of `size` bytes; undefined when it is to be answered whole. */
export function rangeOf(header: string | undefined, size: number | undefined): BlobRange | undefined {
  const m = header === undefined || size === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return undefined;
  const [start, end] = [m[1] ? Number(m[1]) : undefined, m[2] ? Number(m[2]) : undefined];
  if (![start, end].every((n) => n === undefined || Number.isSafeInteger(n))) return undefined;
  if (start === undefined) return end! === 0 || size! === 0 ? 'unsatisfiable' : { from: Math.max(0, size! - end!), to: size! - 1 };
  if (end !== undefined && end < start) return undefined;
  if (start >= size!) return 'unsatisfiable';
  return { from: start, to: Math.min(end ?? size! - 1, size! - 1) };
}

/**
 * The status and headers of the verified bytes of blob `digest` (`size` bytes, when known) for a
 * client's `range`: a 206 of bytes `from`..`to`, a 416 (nothing to send), or the whole blob, a 200.
 */
export function blobHead(digest: string, size: number | undefined, range: string | undefined): { status: 200 | 206 | 416; headers: Record<string, string>; from?: number; to?: number } {
  const type = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest };
  const r = rangeOf(range, size);
  if (r === undefined) return { status: 200, headers: { ...(size !== undefined && { 'content-length': String(size) }), ...type } };
  if (r === 'unsatisfiable') return { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-length': '0', 'docker-content-digest': digest } };
  return { status: 206, headers: { ...type, 'content-range': `bytes ${r.from}-${r.to}/${size}`, 'content-length': String(r.to - r.from + 1) }, ...r };
}

/**
 * Passes bytes `from`..`to` (inclusive) of what flows through and drops the rest; the last chunk it
 * passes is held until the stream ends (after the blob's proof upstream), so a range ending before
 * the blob does is not whole at the client before the blob is proven.
 */
export function slicing(from: number, to: number): Transform {
  let at = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const part = chunk.subarray(Math.max(0, from - at), Math.max(0, to + 1 - at));
      at += chunk.length;
      if (part.length === 0) return done();
      if (held) this.push(held);
      held = part;
      done();
    },
    flush(done) {
      done(null, held);
    },
  });
}
