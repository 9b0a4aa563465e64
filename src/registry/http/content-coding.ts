// Content codings a middlebox put on an answer. regmirror asks for `Accept-Encoding: identity`
// (as quay.io's proxy client does: registry.access.redhat.com gzips blobs for clients that accept
// it), yet a corporate proxy or CDN may gzip answers all the same: a tag list that no longer
// parses, a manifest whose digest no longer matches, on every retry. Such a body is decoded
// before anyone reads it (Go clients such as skopeo do the same), and the digest check still
// judges the bytes. One exception, moby/moby#17595: a web server that labels a stored .tar.gz
// layer `Content-Encoding: x-gzip` sends the blob as it is, so an answer exactly the blob's
// expected size is taken as the blob itself.
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** A coding regmirror can undo. */
export type Coding = 'gzip' | 'deflate' | 'br';

const CODINGS: Record<string, Coding> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };

/**
 * The coding to undo on an answer, or undefined to take its bytes as they are: none, identity, one
 * not known (the digest check then fails it), a 206 (a range of the coded bytes, not of the
 * blob), an answer with no body, or one whose length is the blob's size (see above).
 */
export function codingToUndo(status: number, contentEncoding: string | undefined, contentLength: string | undefined, expectedSize?: number): Coding | undefined {
  const said = contentEncoding?.trim().toLowerCase();
  if (!said || said === 'identity') return undefined;
  const coding = CODINGS[said];
  if (!coding || status === 206 || status === 204 || status === 304) return undefined;
  if (expectedSize !== undefined && contentLength !== undefined && Number(contentLength) === expectedSize) return undefined;
  return coding;
}

/** `body` decoded; destroying the decoded stream destroys `body` too (the connection is let go). */
export function decode(body: Readable, coding: Coding): Readable {
  const decoder = coding === 'gzip' ? createGunzip() : coding === 'deflate' ? createInflate() : createBrotliDecompress();
  return pipeline(body, decoder, () => {});
}
