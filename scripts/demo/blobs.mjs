// Bytes of a small but valid release: ustar archives, gzip'd layers, digests. Deterministic, so
// every demo run stages the same digests (a user can compare two runs, or a run with skopeo).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** `sha256:HEX` of bytes. */
export function digestOf(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Canonical JSON bytes of a manifest or config (what gets hashed is exactly what gets stored). */
export function jsonBytes(value) {
  return Buffer.from(JSON.stringify(value));
}

/** A POSIX ustar archive of regular files ({ path: text }); tar, skopeo and registries accept it. */
export function tarOf(files) {
  const parts = [];
  for (const [path, text] of Object.entries(files)) {
    const content = Buffer.from(text);
    parts.push(tarHeader(path, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function tarHeader(path, size) {
  const header = Buffer.alloc(512);
  const put = (text, offset) => header.write(text, offset, 'ascii');
  const octal = (n, length) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  put(path, 0);
  put(octal(0o755, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(0, 12), 136);
  put('        ', 148); // the checksum is computed with its own field as spaces
  put('0', 156);
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A gzip'd layer and its diff_id (digest of the uncompressed tar), as image configs list it. */
export function layerOf(files) {
  const tar = tarOf(files);
  return { bytes: gzipSync(tar, { level: 9 }), diffId: digestOf(tar) };
}
