// Digests per the OCI image spec (descriptor.md#digests): "algorithm:encoded".
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError, SizeLimitError, UnsupportedError } from './errors.js';

const ENCODED_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A validated digest split into its parts. */
export interface ParsedDigest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses and validates a digest; unknown algorithms are refused, never guessed. */
export function parseDigest(digest: string): ParsedDigest {
  const parsed = examine(digest);
  if (typeof parsed === 'string') throw new UnsupportedError(parsed);
  return parsed;
}

/** True when `digest` is a well-formed digest we can verify. */
export function isDigest(digest: string): boolean {
  // Asked of every reference (a tag or a digest): an answer, never a thrown and caught error.
  return typeof examine(digest) !== 'string';
}

/** The parsed digest, or why it is refused. */
function examine(digest: string): ParsedDigest | string {
  // Nearly every digest of a run is sha256: one test instead of the grammar, a split and a second test.
  if (digest.length === 71 && SHA256_DIGEST.test(digest)) return { algorithm: 'sha256', hex: digest.slice(7) };
  if (!DIGEST_GRAMMAR.test(digest)) return `invalid digest "${digest}"`;
  const [algorithm, hex] = digest.split(':') as [string, string];
  const length = ENCODED_LENGTH[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}" in ${digest}`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return `invalid ${algorithm} digest "${digest}"`;
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

/** The sha256 digest of some bytes, as a registry would name them. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of `bytes` with the algorithm of `like` (sha256 or sha512). */
export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * Whether `other` names the bytes `digest` names: the same digest, or those bytes hashed with
 * `other`'s algorithm. A registry names every manifest by sha256 (distribution refuses a PUT by
 * sha512 with DIGEST_INVALID), so a layout's sha512 manifest is there under sha256, unchanged.
 */
export function namesSameBytes(bytes: Uint8Array, digest: string, other: string): boolean {
  if (other === digest) return true;
  return other.split(':')[0] !== digest.split(':')[0] && isDigest(other) && digestOf(bytes, other) === other;
}

/** Throws unless `bytes` hash to `expected` (and match `size` when given). */
export function verifyBytes(bytes: Uint8Array, expected: string, size?: number, what = 'content'): void {
  parseDigest(expected);
  if (size !== undefined && bytes.byteLength !== size) {
    throw new SizeLimitError(`${what} ${expected}: expected ${size} bytes, got ${bytes.byteLength}`);
  }
  const actual = digestOf(bytes, expected);
  if (actual !== expected) throw new DigestMismatchError(expected, actual, what);
}

/**
 * A pass-through that hashes what flows and fails the stream on a wrong digest or size.
 * The final chunk is held back until the digest is proven, so a consumer (an upload) never
 * receives a complete wrong blob: the registry sees a short body and rejects it.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private seen = 0;
  private held: Buffer | undefined;

  constructor(
    readonly expected: string,
    /** Undefined when nothing says it (a blob a proxy gzipped, decoded on its way in): the digest alone judges. */
    readonly size: number | undefined,
  ) {
    super();
    this.hash = createHash(parseDigest(expected).algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.byteLength;
    if (this.size !== undefined && this.seen > this.size) {
      done(new SizeLimitError(`blob ${this.expected}: more than the ${this.size} bytes its descriptor says`));
      return;
    }
    this.hash.update(chunk);
    if (this.held) this.push(this.held);
    this.held = chunk;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.size !== undefined && this.seen !== this.size) {
      done(new SizeLimitError(`blob ${this.expected}: expected ${this.size} bytes, got ${this.seen}`));
      return;
    }
    const actual = `${parseDigest(this.expected).algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      done(new DigestMismatchError(this.expected, actual, 'blob'));
      return;
    }
    if (this.held) this.push(this.held);
    done();
  }
}
