// BackendPool.first's (backends.ts) two ways of asking: one backend within the deadline, its breaker
// told how it went, and every one at once (raced) when all are known down. Apart from the pool, which
// keeps the breakers, deadlines and answer times these use.
import type { Breaker } from './breaker.js';
import type { AnswerTimes } from './hedge.js';
import { isLiveError } from './backend-failures.js';

/** What an attempt uses: the pool's deadline, breakers and failovers, each host's answer times, the gateway's shutdown. */
export interface Asking {
  pool: { deadline(): { signal: AbortSignal; done(): void; explain(e: unknown): unknown }; breaker(host: string): Breaker; failed(host: string, error: unknown): void };
  times: AnswerTimes;
  shutdown: AbortSignal;
}

/** `op` on every one of `list` at once: the first answer, the others then abandoned (aborted). */
export function race<B extends { host: string }, T>(asking: Asking, list: B[], op: (b: B, signal: AbortSignal) => Promise<T>): Promise<{ ok: true; value: T; backend: B } | { ok: false; errors: unknown[] }> {
  const abandon = list.map(() => new AbortController());
  const errors: unknown[] = [];
  let left = list.length;
  return new Promise((resolve) => list.forEach((b, i) => {
    void attempt(asking, b, op, abandon[i]!.signal).then((tried) => {
      left--;
      if (tried.ok) {
        abandon.forEach((a, j) => j !== i && a.abort());
        resolve(tried); // a later one's too, after the first: a no-op, its body destroyed by the abort
      } else if (!abandon[i]!.signal.aborted) errors[i] = tried.error;
      if (left === 0) resolve({ ok: false, errors: errors.filter((e) => e !== undefined) });
    });
  }));
}

/** `op` on one backend within the deadline (or until `abandoned`); its breaker told how it went. */
export async function attempt<B extends { host: string }, T>(asking: Asking, b: B, op: (b: B, signal: AbortSignal) => Promise<T>, abandoned?: AbortSignal): Promise<{ ok: true; value: T; backend: B } | { ok: false; error: unknown }> {
  const deadline = asking.pool.deadline();
  const started = performance.now();
  try {
    const value = await op(b, abandoned ? AbortSignal.any([deadline.signal, abandoned]) : deadline.signal);
    deadline.done();
    asking.times.observe(b.host, performance.now() - started);
    asking.pool.breaker(b.host).success();
    return { ok: true, value, backend: b };
  } catch (err) {
    deadline.done();
    const error = deadline.explain(err);
    // Shut down, or abandoned for another backend's answer: nothing said about this one.
    if (asking.shutdown.aborted || abandoned?.aborted) return { ok: false, error };
    if (isLiveError(error)) asking.pool.failed(b.host, error);
    else {
      asking.times.observe(b.host, performance.now() - started);
      asking.pool.breaker(b.host).answered();
    }
    return { ok: false, error };
  }
}
