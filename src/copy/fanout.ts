// One source stream feeding several uploads at once, moving at the pace of the slowest live
// consumer (backpressure), so a blob is read once whatever the number of targets and never
// buffered whole. A consumer that fails is dropped; the others carry on. While the read is within
// its first REJOIN_BYTES, those bytes are kept, so that an upload starting again at once (its
// registry refused the first way and its upload policy adapted) can join the read under way.
import { PassThrough, type Readable } from 'node:stream';

const BRANCH_BUFFER = 1 << 20;

/**
 * The start of a read kept for a late branch. Upload policies learn within the first parts (a
 * front end's 413 to a whole PUT at once, ECR's refusal of a second 4 MiB part, a 413 to an 8 MiB
 * one): without it, that target waited for the others to finish the read and read it all again
 * (bigblobs hunt: a 1 GiB layer to ghcr and ECR behind nginx, 2 GiB read at the source).
 */
export const REJOIN_BYTES = 16 << 20;

/** The branches, and a new one that sees every byte from the first (undefined once the read is past REJOIN_BYTES, done or stopped). */
export interface FanOut { branches: PassThrough[]; rejoin(): PassThrough | undefined }

/** Splits `source` into `count` streams, each seeing every byte in order, and late ones while the read is within REJOIN_BYTES. */
export function fanOut(source: Readable, count: number): FanOut {
  const live = new Set<PassThrough>();
  const waiting = new Set<PassThrough>();
  let head: Buffer[] | undefined = [];
  let headBytes = 0;

  const resumeIfClear = () => {
    if (waiting.size === 0 && source.isPaused()) source.resume();
  };
  const drop = (branch: PassThrough) => {
    live.delete(branch);
    waiting.delete(branch);
    if (live.size === 0) source.destroy();
    else resumeIfClear();
  };
  const branch = () => {
    const b = new PassThrough({ highWaterMark: BRANCH_BUFFER });
    // A branch's error is its upload's to report (or the source's): one not read yet (its request
    // still queued) has no listener of its own, and an abort would be an uncaught 'error'.
    b.on('error', () => {});
    b.on('drain', () => {
      waiting.delete(b);
      resumeIfClear();
    });
    b.on('close', () => live.has(b) && !b.writableFinished && drop(b));
    live.add(b);
    return b;
  };
  const branches = Array.from({ length: count }, branch);

  source.on('data', (chunk: Buffer) => {
    if (head) {
      headBytes += chunk.length;
      if (headBytes <= REJOIN_BYTES) head.push(chunk);
      else head = undefined;
    }
    for (const b of live) {
      if (!b.write(chunk)) waiting.add(b);
    }
    if (waiting.size > 0) source.pause();
  });
  source.once('end', () => {
    head = undefined;
    for (const b of live) b.end();
  });
  source.once('error', (err) => {
    head = undefined;
    for (const b of live) b.destroy(err);
  });
  const rejoin = () => {
    if (!head || source.destroyed || live.size === 0) return undefined;
    const late = branch();
    // Written at once, over its buffer: at most REJOIN_BYTES held, until its upload reads them.
    for (const chunk of head) late.write(chunk);
    if (late.writableNeedDrain) {
      waiting.add(late);
      source.pause();
    }
    return late;
  };
  return { branches, rejoin };
}
