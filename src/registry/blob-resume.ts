// A blob download that breaks mid-stream resumes where it broke (issue 9): the stream the copier
// reads carries on with `Range: bytes=N-` from the N bytes already handed on (and hashed by the
// copier's verifying stream), instead of failing the copy and reading everything again. A server
// that ignores Range (200 instead of 206) is read again from the start, its first N bytes skipped.
// As containers/image does, a connection that breaks only after real progress (RESUME_PROGRESS
// since the last break) earns a fresh budget of resumes: a link that drops every few MiB still
// delivers a 1 GiB layer, while one that cannot move a MiB gives up after `maxResumes` in a row.
import { Readable } from 'node:stream';
import { isTransientNetworkError } from './http/retry.js';
import { prematureClose } from './http/body.js';

/** Bytes read between two breaks that count as progress (and reset the resume budget). */
export const RESUME_PROGRESS = 1024 * 1024;

/** Where a reopened body starts: the byte offset of its first byte in the blob. */
export interface Reopened {
  body: Readable;
  start: number;
  /** The answer's Content-Length; undefined when it said none (see attach). */
  length?: number;
}

/** What a resumable stream needs: the first body, how to reopen at an offset, and limits. */
export interface ResumeOptions {
  size: number;
  /** The first answer's Content-Length; undefined when it said none (see attach). */
  length?: number;
  /** Opens the blob again from `offset` (a Range request); `start` says where the answer begins. */
  reopen(offset: number): Promise<Reopened>;
  /** How many breaks in a row, each after less than RESUME_PROGRESS bytes, may be resumed. */
  maxResumes: number;
  /** Told of each resume, for -v and the retry counter. */
  onResume?(offset: number, why: unknown): void;
  /**
   * A read begun midway (the gateway's client left behind by a shared read): `first` starts at the
   * blob's byte `start`, and the stream hands on the bytes from `at` (at least `start`) on.
   */
  begun?: { start: number; at: number };
}

/**
 * Where a 206 answer to a blob of `size` bytes starts, when its Content-Range is well formed and
 * agrees with the rest of the answer: its span with the Content-Length (when it has one), its
 * total with the blob's size. undefined otherwise: a range that says one place and carries
 * another's bytes (a proxy rewriting it, a store answering `bytes 0-…` with the asked part) would
 * be spliced in at the wrong offset, or end the stream short, and fail every upload it feeds.
 */
export function rangeAnswerStart(contentRange: string | undefined, length: number | undefined, size: number): number | undefined {
  const m = contentRange === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange.trim());
  if (!m) return undefined;
  const [start, end] = [Number(m[1]), Number(m[2])];
  if (end < start || (m[3] !== '*' && Number(m[3]) !== size)) return undefined;
  if (length !== undefined && length !== end - start + 1) return undefined;
  return start;
}

/** The blob's bytes as one stream that survives breaks of the connection underneath. */
export function resumable(first: Readable, opts: ResumeOptions): Readable {
  return new ResumableBody(first, opts);
}

/**
 * Passes the current body's chunks on as they come ('data' events, paused while the reader is
 * behind), and on a break reopens at the bytes handed on. Events rather than an async generator:
 * every blob of a run flows through here, and a promise per chunk was a measurable share of a
 * copy's CPU.
 */
class ResumableBody extends Readable {
  private body!: Readable;
  private delivered = 0;
  private skip = 0;
  /** Resumes since the last break that came after RESUME_PROGRESS bytes or more. */
  private resumes = 0;
  private lastBreakAt = 0;
  /** Lets go of the current body (its listeners off); a no-op once done. */
  private release: () => void = () => {};

  constructor(first: Readable, private readonly opts: ResumeOptions) {
    super();
    const start = opts.begun?.start ?? 0;
    this.delivered = this.lastBreakAt = opts.begun?.at ?? 0;
    this.skip = this.delivered - start;
    this.attach(first, opts.length ?? opts.size - start, start > 0);
  }

  override _read(): void {
    this.body.resume();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.release();
    this.body.destroy();
    done(err);
  }

  /**
   * `expected`: the bytes this answer should carry (its Content-Length, else the rest of the blob);
   * `partial`: a Range answer (206), which may stop before the blob's end at its own length.
   */
  private attach(body: Readable, expected: number, partial: boolean): void {
    this.body = body;
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      let part = chunk;
      if (this.skip > 0) {
        const dropped = Math.min(this.skip, part.length);
        this.skip -= dropped;
        part = part.subarray(dropped);
        if (part.length === 0) return;
      }
      this.delivered += part.length;
      if (!this.push(part)) body.pause();
    };
    const onEnd = () => {
      this.release();
      // An answer that ends "cleanly" short of its length is a break like any other, resumed from
      // where it stopped: one without a length that just stops (HTTP/1.0, a proxy closing), and
      // any answer over HTTP/2, where undici ends the body without an error when the connection
      // or the stream under it dies (it checks Content-Length on HTTP/1.1 only). A length that
      // is not the blob's own (a wrong size) is the digest check's to say. A range answer may
      // also end whole but short of the blob (a store that caps the bytes of one range): the
      // rest is asked for the same way.
      const short = this.delivered < this.opts.size;
      if (short && received < expected) this.broke(endedShort(`the answer ended after ${received} of its ${expected} bytes, at byte ${this.delivered} of ${this.opts.size}`));
      else if (short && partial) {
        if (received > 0) this.resumes = 0; // a whole range delivered is progress, not a failure
        this.broke(endedShort(`the range answer ended at byte ${this.delivered} of ${this.opts.size}`));
      }
      else this.push(null);
    };
    const onError = (e: Error) => {
      this.release();
      this.broke(e);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    // Closed without an end or an error (destroyed under us): a break like any other.
    const onClose = () => {
      if (!body.readableEnded) onError(prematureClose());
    };
    body.once('close', onClose);
    this.release = () => {
      this.release = () => {};
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      // A late error from a body we let go must not be thrown as unhandled.
      body.on('error', () => {});
    };
  }

  private broke(e: Error): void {
    if (this.destroyed) return;
    const { opts } = this;
    if (this.delivered - this.lastBreakAt >= RESUME_PROGRESS) this.resumes = 0;
    this.lastBreakAt = this.delivered;
    // Every byte of the blob came and then the connection closed short of the answer's
    // Content-Length (a proxy that states the wrong length): the blob is whole, and the digest
    // check after this stream judges it; asking for more would only be refused (416).
    if (isTransientNetworkError(e) && this.delivered === opts.size) {
      this.push(null);
      return;
    }
    if (!isTransientNetworkError(e) || this.delivered > opts.size) {
      this.destroy(e);
      return;
    }
    if (this.resumes >= opts.maxResumes) {
      // Still a broken connection to the copier (its code kept), which may try the blob again.
      const why = `the connection broke ${this.resumes + 1} times in a row with less than ${RESUME_PROGRESS / 1024 / 1024} MiB read in between, at byte ${this.delivered} of ${opts.size} (${e.message})`;
      this.destroy(Object.assign(new Error(why), { code: (e as { code?: string }).code, cause: e }));
      return;
    }
    this.resumes++;
    opts.onResume?.(this.delivered, e);
    opts.reopen(this.delivered).then(
      (next) => {
        if (this.destroyed || next.start > this.delivered) {
          next.body.destroy();
          this.destroy(e);
          return;
        }
        this.skip = this.delivered - next.start;
        this.attach(next.body, next.length ?? this.opts.size - next.start, next.start > 0);
      },
      (err: Error) => this.destroy(err),
    );
  }
}

/** A body that ended before the bytes it owed: a break (transient, as a cut connection is). */
function endedShort(message: string): Error {
  return Object.assign(new Error(message), { code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' });
}
