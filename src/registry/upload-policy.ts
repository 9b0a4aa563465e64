// How one registry takes blob uploads, learned during a run (pure decisions, no I/O). Monolithic
// first (GAR refuses PATCH); chunked when the registry demands it (an OCI-Chunk-Min-Length, a
// forced setting) or, after a refused whole PUT, for blobs too large to go whole there (ghcr.io's
// 416 over 4 MiB, known from the start where documented: documented-limits.ts; its small blobs
// still go in one PUT). The chunk size adapts to refusals: ghcr.io refuses bodies over 4 MiB, ECR
// refuses chunks under 5 MiB but the last, and a 413 from anyone (a proxy's body limit: nginx's
// client_max_body_size is 1 MiB unless set) means smaller. What is learned holds for the run.
import { UploadRefusedError } from '../types/errors.js';
import { tooLong } from './upload-refusals.js';

export { refusesPatch, refusesWhole } from './upload-refusals.js';

/** ghcr.io's documented request-body limit: a refused larger chunk shrinks to at most this. */
export const SMALL_CHUNK_LIMIT = 4 * 1024 * 1024;
/** ECR's documented minimum part: a refused smaller chunk grows to at least this. */
export const LARGE_CHUNK_FLOOR = 5 * 1024 * 1024;

/** The smallest chunk a 413 shrinks chunks to: below it, a body limit leaves no upload possible. */
export const CHUNK_FLOOR = 64 * 1024;

/** Where a 413 most often comes from, said when no other way of uploading is left. */
const BODY_LIMIT = ': a proxy in front of the registry may limit request bodies (nginx: client_max_body_size)';

/** What to do after a refusal: start the upload again with what the policy now says. */
export type Adaptation = { change: string };

const MiB = 1024 * 1024;
const size = (n: number) => (n % MiB === 0 ? `${n / MiB} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

/** One registry's upload state for a run. */
export class UploadPolicy {
  private chunked: boolean;
  /** Chunks demanded for every blob (OCI-Chunk-Min-Length, a forced setting), not only large ones. */
  private demanded: boolean;
  private chunk: number;
  private min = 1;
  private max = Number.MAX_SAFE_INTEGER;
  /** The smallest blob refused whole, and the largest taken whole, this run. */
  private wholeRefusedMin = Number.POSITIVE_INFINITY;
  private wholeTakenMax = 0;
  /** The status the smallest refused whole PUT was answered with (413: a proxy's body limit). */
  private wholeRefusedStatus = 0;
  /** A 413 was seen: bodies are limited (a proxy), and no whole PUT is larger than a chunk. */
  private bodyLimited = false;
  private patchRefused = false;
  private readonly refusedSizes = new Set<number>();
  /** Chunk sizes refused for being too small (not with 413): a 413 never shrinks back to them. */
  private readonly refusedSmall = new Set<number>();

  /** A body limit documented for the registry (documented-limits.ts), until it says otherwise. */
  private documented: number | undefined;
  private documentedSaid = false;
  /** A whole PUT was refused this run (not only documented as refused). */
  private wholeRefusedSeen = false;

  constructor(
    readonly host: string,
    chunkBytes: number,
    forceChunked = false,
    bodyLimit?: number,
  ) {
    this.chunked = forceChunked;
    this.demanded = forceChunked;
    this.chunk = chunkBytes;
    // Known before the first upload, as if a whole PUT just over it had been refused (416).
    if (bodyLimit !== undefined) {
      this.documented = bodyLimit;
      this.chunked = true;
      [this.wholeRefusedMin, this.wholeRefusedStatus] = [bodyLimit + 1, 416];
      this.chunk = Math.min(this.chunk, bodyLimit);
    }
  }

  /** For -v, once: the first upload chunked because of a documented limit rather than a refusal. */
  documentedLine(): string | undefined {
    if (this.documented === undefined || this.documentedSaid) return undefined;
    this.documentedSaid = true;
    return `takes no request body over ${size(this.documented)} (documented: 416 over it): blobs over ${size(this.wholeUpTo())} go in chunks of ${size(this.chunkBytes)}`;
  }

  /** How the next upload sends its bytes: before any refusal, as a blob of unknown size. */
  get mode(): 'monolithic' | 'chunked' {
    return this.modeFor(Number.MAX_SAFE_INTEGER);
  }

  /** How an upload of a blob of `bytes` sends them. */
  modeFor(bytes: number): 'monolithic' | 'chunked' {
    return this.chunked && (this.demanded || bytes > this.wholeUpTo()) ? 'chunked' : 'monolithic';
  }

  /**
   * After a refused whole PUT, the largest blob still sent whole: one as large as a blob taken
   * whole this run, or, where only blobs over 4 MiB were refused (ghcr.io), up to 4 MiB. Never
   * one as large as a refused blob, so a registry refusing every whole PUT refuses at most one more.
   */
  private wholeUpTo(): number {
    const known = this.wholeRefusedMin > SMALL_CHUNK_LIMIT ? Math.max(this.wholeTakenMax, SMALL_CHUNK_LIMIT) : this.wholeTakenMax;
    return Math.min(known, this.wholeRefusedMin - 1, this.bodyLimited ? this.chunkBytes : Number.POSITIVE_INFINITY);
  }

  /** A blob of `bytes` was taken in one PUT. */
  tookWhole(bytes: number): void {
    if (bytes > this.wholeTakenMax) this.wholeTakenMax = bytes;
  }

  /** Bytes per PATCH for the next chunked upload, within the registry's stated bounds. */
  get chunkBytes(): number {
    return Math.min(this.max, Math.max(this.min, this.chunk));
  }

  /** OCI-Chunk-Min-Length / OCI-Chunk-Max-Length of an upload session (absent or junk: ignored). */
  learnLimits(minHeader: string | undefined, maxHeader: string | undefined): void {
    const min = positive(minHeader);
    const max = positive(maxHeader);
    if (min !== undefined && min > this.min) {
      this.min = min;
      if (!this.patchRefused) this.chunked = this.demanded = true; // a stated minimum is a demand for chunks
    }
    if (max !== undefined && max < this.max) this.max = max;
    if (this.min > this.max) throw new UploadRefusedError(this.host, `its chunk bounds contradict each other (OCI-Chunk-Min-Length ${this.min} > OCI-Chunk-Max-Length ${this.max})`);
  }

  /**
   * A monolithic PUT of `bytes` was refused as a whole (416, 413, 408, BLOB_UPLOAD_INVALID): go
   * chunked; after a 413 (too large, whoever said it) or a 408 (too long in coming), in chunks
   * smaller than what was refused.
   */
  refusedWhole(status: number, bytes = Number.MAX_SAFE_INTEGER): Adaptation {
    const before = this.wholeUpTo();
    const wasChunked = this.chunked;
    this.wholeRefusedSeen = true;
    if (bytes <= this.wholeRefusedMin) [this.wholeRefusedMin, this.wholeRefusedStatus] = [bytes, status];
    if (this.patchRefused) throw new UploadRefusedError(this.host, `it refused a monolithic PUT (${status}) and refuses PATCH chunks too${status === 413 ? BODY_LIMIT : ''}`);
    this.chunked = true;
    if (tooLong(status)) {
      this.bodyLimited = true;
      this.chunk = Math.max(CHUNK_FLOOR, Math.min(this.chunk, under413(bytes)));
    }
    const upTo = this.wholeUpTo();
    if (wasChunked && upTo === before) return { change: 'none' };
    return { change: `refused a monolithic upload (${status}): chunked uploads of ${size(this.chunkBytes)} from now on${upTo > 0 ? ` for blobs over ${size(upTo)}` : ''}` };
  }

  /**
   * A PATCH of a blob of `bytes` was refused as unsupported (405, 501, UNSUPPORTED): go
   * monolithic, also after a whole PUT refused for its size (GAR behind a proxy's body limit):
   * smaller blobs still go whole; this blob fails when it is as large as one refused whole.
   */
  refusedPatch(status: number, bytes = Number.MAX_SAFE_INTEGER): Adaptation {
    this.patchRefused = true;
    // A registry documented to limit bodies that refuses PATCH is not the one documented (a
    // mirror under the same name, or the registry changed): whole PUTs are all it takes.
    if (this.documented !== undefined && !this.wholeRefusedSeen) [this.wholeRefusedMin, this.wholeRefusedStatus, this.documented] = [Number.POSITIVE_INFINITY, 0, undefined];
    const wasChunked = this.chunked;
    this.chunked = false;
    const whole = this.wholeRefusedStatus;
    if (bytes >= this.wholeRefusedMin) throw new UploadRefusedError(this.host, `it refused PATCH chunks (${status}) and refused a monolithic PUT of ${size(this.wholeRefusedMin)} (${whole}) before${whole === 413 ? BODY_LIMIT : ''}`);
    if (!wasChunked) return { change: 'none' };
    return { change: `refused a PATCH (${status}): monolithic uploads from now on` };
  }

  /**
   * A PATCH of `bytes` (not the last one of its blob, or the last when `last`) was refused for
   * its size (413, 416, 400): shrink a large chunk to at most 4 MiB, grow a small one to at least
   * 5 MiB, never to a size already refused; another upload may have adapted first (no change).
   * A 413 says "too large" in any case: halve below the refused size (a short last chunk too).
   * A refused last chunk over 4 MiB shrinks as well (ghcr.io and a 6 MiB layer in 8 MiB chunks);
   * one that would have to grow cannot: it is all that is left of its blob.
   */
  refusedChunk(bytes: number, status: number, last: boolean): Adaptation {
    const tooLarge = status === 413;
    if (tooLarge) this.bodyLimited = true;
    // Another upload adapted first: its chunk was cut under the old size (or is already smaller).
    if ((bytes !== this.chunkBytes && !last) || this.chunkBytes < bytes) return { change: 'none' };
    this.refusedSizes.add(bytes);
    if (!tooLarge && bytes <= SMALL_CHUNK_LIMIT) this.refusedSmall.add(bytes);
    // A 413 above a size refused as too small (ECR's 5 MiB floor behind a 6 MiB body limit): the
    // size that works lies between the two, so halve the gap instead of going back below it.
    const floor = Math.max(0, ...[...this.refusedSmall].filter((s) => s < bytes));
    const between = Math.floor((floor + bytes) / 2 / CHUNK_FLOOR) * CHUNK_FLOOR;
    const wanted = tooLarge ? (under413(bytes) <= floor ? between : under413(bytes)) : bytes > SMALL_CHUNK_LIMIT ? Math.min(SMALL_CHUNK_LIMIT, Math.floor(bytes / 2)) : Math.max(LARGE_CHUNK_FLOOR, bytes * 2);
    const next = Math.min(this.max, Math.max(this.min, last && bytes > SMALL_CHUNK_LIMIT && !tooLarge ? SMALL_CHUNK_LIMIT : wanted));
    if (next === bytes || this.refusedSizes.has(next) || next < CHUNK_FLOOR || next <= floor || (!tooLarge && last && next > bytes)) {
      const tried = [...this.refusedSizes].sort((a, b) => a - b);
      if (tooLarge && floor > 0) throw new UploadRefusedError(this.host, `it refused chunks of ${size(floor)} as too small and request bodies of ${size(bytes)} as too large (413), and no size between is left to try: a proxy in front of the registry may limit request bodies (nginx: client_max_body_size) below what the registry needs`);
      if (tooLarge) throw new UploadRefusedError(this.host, `it refused request bodies of ${size(tried[0]!)} and more (413), and chunks smaller than ${size(CHUNK_FLOOR)} are not worth sending: a proxy in front of the registry may limit request bodies (nginx: client_max_body_size)`);
      throw new UploadRefusedError(this.host, `it refused PATCH chunks of ${tried.map(size).join(', ')} (${status}) and no other chunk size is left to try`);
    }
    this.chunk = next;
    return { change: `refused a chunk of ${size(bytes)} (${status}): chunks of ${size(next)} from now on` };
  }
}

/**
 * The chunk size after a 413 for a body of `bytes`: the largest power of two below it (halving
 * that lands on round sizes), and never over ghcr.io's 4 MiB.
 */
function under413(bytes: number): number {
  return Math.min(SMALL_CHUNK_LIMIT, 2 ** Math.floor(Math.log2(bytes - 1)));
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value ?? '');
  return value !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
