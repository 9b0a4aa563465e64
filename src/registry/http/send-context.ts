// What the bottom layer (send.ts) needs from its host, and the request counters it keeps for every
// host of a client, said in one line for -v. Apart from the sending itself, as what hosts and the
// CLI read and set up.
import type { Dispatcher } from 'undici';
import type { Logger } from '../../ui/log.js';
import type { Lanes } from './limiter.js';
import type { Unanswered } from './unanswered.js';

/** Counters shared by every host of a client (RegistryClient.stats). */
export interface TransportStats {
  requests: number;
  byMethod: Record<string, number>;
  retries: number;
  tokenFetches: number;
}

/**
 * One line for -v: what a run cost in requests (the first thing to look at when it is slow).
 * Method names are ASCII: localeCompare's first call loads ICU's collator, 9 ms at every run's end.
 */
export function describeStats(stats: TransportStats): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const methods = Object.entries(stats.byMethod).sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, n]) => `${m} ${n}`);
  const requests = count(stats.requests, 'request', 'requests') + (methods.length > 0 ? ` (${methods.join(', ')})` : '');
  return `${requests}, ${count(stats.retries, 'retry', 'retries')}, ${count(stats.tokenFetches, 'token fetch', 'token fetches')}`;
}

/** What the bottom layer needs from its host. */
export interface SendContext {
  lanes: Lanes;
  /** The pool for a request to `url`; `bulky` when its body is (pool.ts: large bodies stay off HTTP/2). */
  dispatcherFor(url: URL, bulky: boolean): Dispatcher;
  /** A fresh pool in place of `dispatcher`, which an HTTP/2 GOAWAY left (pool.ts Pools.renew); a no-op when it is already replaced. */
  renew?(dispatcher: Dispatcher): void;
  stats: TransportStats;
  logger: Logger;
  userAgent: string;
  /** How long an answer may keep a request waiting (pool-limits.ts ANSWER_TIMEOUT_MS unless the host says less). */
  answerTimeoutMs?: number;
  /** Hears each request go out and be answered (the progress line's host that does not answer). */
  unanswered?: Unanswered;
}
