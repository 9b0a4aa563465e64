// What one copy needs besides the graph itself; shared by every copy of a run.
import type { CallOptions, Repository } from '../content/storage.js';
import type { CopyLedger } from './ledger.js';

/** Settings and shared state of a copy (plain struct; zero values are sane). */
export interface CopyContext {
  src: Repository;
  ledger: CopyLedger;
  signal?: AbortSignal;
  /** Where this copy's requests queue for busy registry slots (CallOptions.priority). */
  priority?: number;
  /** Plan only: check what exists, count what would move, write nothing. */
  dryRun?: boolean;
  /** Whole-blob attempts (fresh source read + fresh upload) before giving up; default 3. */
  blobAttempts?: number;
  /** Called as blob bytes reach destinations (progress display). */
  onBytes?: (bytes: number) => void;
  /** Told what a copy worked around that a -v run should say (a refusal it healed); one line each. */
  onNote?: (message: string) => void;
}

/** What each storage call of this copy is given: its signal and its place in the queue. */
export function callOptions(ctx: CopyContext): CallOptions {
  return { signal: ctx.signal, priority: ctx.priority };
}

/**
 * How many places later than its tag a manifest write queues (CallOptions.priority). A manifest
 * PUT ends a chain: nothing waits on it but the tag's own next PUT. Queued with the reads of tags
 * this far behind, the last tags' chains of PUTs overlap the reads still to do, and a run ends in
 * a burst of PUTs instead of the last few tags walking their chains one after another with the
 * registry's slots idle (at 50 ms: a quarter of a second, 5 of the 10 idle slot-seconds at the end).
 */
export const WRITE_LAG = 16;

/** A manifest write's options: its tag's signal, and a place WRITE_LAG behind the tag's reads. */
export function writeOptions(ctx: CopyContext): CallOptions {
  return { signal: ctx.signal, priority: ctx.priority === undefined ? undefined : ctx.priority + WRITE_LAG };
}

/** Sleeps `ms`, or rejects as soon as the signal aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
