// One source stream feeding several uploads at once, moving at the pace of the slowest live
// consumer (backpressure), so a blob is read once whatever the number of targets and never
// buffered whole. A consumer that fails is dropped; the others carry on.
import { PassThrough, type Readable } from 'node:stream';

const BRANCH_BUFFER = 1 << 20;

/** Splits `source` into `count` streams; each sees every byte in order. */
export function fanOut(source: Readable, count: number): PassThrough[] {
  const branches = Array.from({ length: count }, () => new PassThrough({ highWaterMark: BRANCH_BUFFER }));
  const live = new Set(branches);
  const waiting = new Set<PassThrough>();

  const resumeIfClear = () => {
    if (waiting.size === 0 && source.isPaused()) source.resume();
  };
  const drop = (branch: PassThrough) => {
    live.delete(branch);
    waiting.delete(branch);
    if (live.size === 0) source.destroy();
    else resumeIfClear();
  };
  for (const branch of branches) {
    // A branch's error is its upload's to report (or the source's): one not read yet (its request
    // still queued) has no listener of its own, and an abort would be an uncaught 'error'.
    branch.on('error', () => {});
    branch.on('drain', () => {
      waiting.delete(branch);
      resumeIfClear();
    });
    branch.on('close', () => live.has(branch) && !branch.writableFinished && drop(branch));
  }

  source.on('data', (chunk: Buffer) => {
    for (const branch of live) {
      if (!branch.write(chunk)) waiting.add(branch);
    }
    if (waiting.size > 0) source.pause();
  });
  source.once('end', () => {
    for (const branch of live) branch.end();
  });
  source.once('error', (err) => {
    for (const branch of live) branch.destroy(err);
  });
  return branches;
}
