// The window of a read that several clients share (shared-read.ts): who may still join it, who is
// left behind to read alone, and which of its bytes are still needed. Pure.

/**
 * How far the shared read may run ahead of its slowest sharer, and the start of the read kept for
 * clients that join late: at most this much is held per blob read (8 MiB; a pull of an image's
 * five large layers by a fleet holds 40 MiB at the most, where each client held its own socket's
 * buffers before). A fleet pulling "at once" arrives within the read's first 8 MiB when it started
 * within the time the fastest client takes to read them; the others read alone, and the first of
 * them starts a read the next ones share.
 */
export const SHARE_WINDOW = 8 << 20;

/** Whether a client may join a read that has `head` bytes, `sharers` sharing it: its first byte is still kept. */
export function mayJoin(head: number, sharers: number, done: boolean): boolean {
  return !done && sharers > 0 && head <= SHARE_WINDOW;
}

/** Whether a sharer at byte `at` is too far behind a read at `head` to share it any longer. */
export function leftBehind(head: number, at: number): boolean {
  return head - at > SHARE_WINDOW;
}

/** The first byte still needed: the whole start while a client may join, else the slowest sharer's. */
export function keepFrom(head: number, at: number[]): number {
  if (head <= SHARE_WINDOW) return 0;
  return at.length === 0 ? head : Math.min(...at);
}
