// A blob download that breaks mid-stream resumes where it broke (issue 9): the stream the copier
// reads carries on with `Range: bytes=N-` from the N bytes already handed on (and hashed by the
// copier's verifying stream), instead of failing the copy and reading everything again. A server
// that ignores Range (200 instead of 206) is read again from the start, its first N bytes skipped.
import { Readable } from 'node:stream';
import { isTransientNetworkError } from './http/retry.js';

/** Where a reopened body starts: the byte offset of its first byte in the blob. */
export interface Reopened {
  body: Readable;
  start: number;
}

/** What a resumable stream needs: the first body, how to reopen at an offset, and limits. */
export interface ResumeOptions {
  size: number;
  /** Opens the blob again from `offset` (a Range request); `start` says where the answer begins. */
  reopen(offset: number): Promise<Reopened>;
  /** How many times a broken body may be resumed. */
  maxResumes: number;
  /** Told of each resume, for -v and the retry counter. */
  onResume?(offset: number, why: unknown): void;
}

/** `bytes START-END/TOTAL` → START; undefined when absent or malformed. */
export function contentRangeStart(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/** The blob's bytes as one stream that survives breaks of the connection underneath. */
export function resumable(first: Readable, opts: ResumeOptions): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    let body = first;
    let delivered = 0;
    let skip = 0;
    for (let resumes = 0; ; resumes++) {
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          let part = chunk;
          if (skip > 0) {
            const dropped = Math.min(skip, part.length);
            skip -= dropped;
            part = part.subarray(dropped);
            if (part.length === 0) continue;
          }
          delivered += part.length;
          yield part;
        }
        return;
      } catch (e) {
        if (!isTransientNetworkError(e) || resumes >= opts.maxResumes || delivered >= opts.size) throw e;
        opts.onResume?.(delivered, e);
        const next = await opts.reopen(delivered);
        if (next.start > delivered) {
          next.body.destroy();
          throw e;
        }
        body = next.body;
        skip = delivered - next.start;
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}
