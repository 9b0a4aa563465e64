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
}

/** What each storage call of this copy is given: its signal and its place in the queue. */
export function callOptions(ctx: CopyContext): CallOptions {
  return { signal: ctx.signal, priority: ctx.priority };
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
