// `registries.<host>.rateLimit` (SPEC "mirrors.yaml"): requests per second to one host, shared
// by every request the host's stack sends (retries, token fetches and redirects included).
// Requests are spaced evenly, 1/rate seconds apart, with no burst: then no one-second window of
// the registry's own access log holds more than `rate` requests, which is what a registry's
// published limit (and a polite mirror) means.
import { AbortedError } from '../../types/errors.js';
import { Lanes } from './limiter.js';
import type { Lane } from './types.js';

/** Hands out send times at most `perSecond` a second, in the order asked. */
export class RequestPacer {
  private next = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Waits for this request's turn (rejects with AbortedError when `signal` fires first). */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now, signal);
  }
}

/**
 * Lanes whose every slot also waits for the pacer. The turn is taken once a lane slot is held,
 * so requests queued behind busy lanes cannot bank turns and then leave together.
 */
export class PacedLanes extends Lanes {
  constructor(concurrency: number, private readonly pacer: RequestPacer) {
    super(concurrency);
  }

  override pace(signal?: AbortSignal): Promise<void> {
    return this.pacer.take(signal);
  }

  override async acquire(lane: Lane, signal?: AbortSignal, priority?: number): Promise<() => void> {
    const release = await super.acquire(lane, signal, priority);
    try {
      await this.pacer.take(signal);
    } catch (e) {
      release();
      throw e;
    }
    return release;
  }
}

/** The host's lanes: paced when `rateLimit` is set. */
export function lanesFor(concurrency: number, rateLimit: number | undefined): Lanes {
  return rateLimit === undefined ? new Lanes(concurrency) : new PacedLanes(concurrency, new RequestPacer(rateLimit));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
