// Backends asked in turn, without waiting out one that says nothing (gateway4 hunt: every
// backend SIGSTOPped, the first request after the hang waited one whole --timeout per backend
// before the breakers opened, 5 to 20 s, and one hung backend cost a pull its whole deadline).
// registry.k8s.io's archeio does what the gateway did: a HEAD at its S3 mirror with a 5 s timeout,
// then the upstream registry. Hedged requests ("The Tail at Scale"; gRPC's hedgingDelay, Envoy's
// hedge_on_per_try_timeout) ask the next replica once the first has said nothing for longer than
// it usually takes, and take the first answer. So here: the next backend is asked beside the one
// still silent after the hedge delay (4 times that backend's usual answer time, at least 1 s, at
// most half the deadline), and a failure asks the next at once as before. A healthy first backend
// answers well within its delay, so its requests cost no request elsewhere. The silent one is not
// abandoned: its deadline still passes and opens its breaker (or its late answer is let go), so
// the requests after it skip it rather than each paying the delay.

/** How one backend's attempt went, as attempt (backend-attempts.ts) reports it. */
export type Tried<A> = { ok: true; value: A } | { ok: false; error: unknown };

/** The fewest ms a backend is given before the next is asked beside it. */
export const HEDGE_MIN_MS = 1000;
/** A hedge delay is this many times the backend's usual answer time (a cheap stand-in for its 95th percentile). */
const USUAL_TIMES = 4;

/** Each host's usual answer time (a moving average of its answers), for its hedge delay. */
export class AnswerTimes {
  private readonly usual = new Map<string, number>();

  constructor(private readonly deadlineMs: number) {}

  /** `host` answered in `ms`. */
  observe(host: string, ms: number): void {
    const was = this.usual.get(host);
    this.usual.set(host, was === undefined ? ms : was * 0.8 + ms * 0.2);
  }

  /** How long `host` may say nothing before the next backend is asked beside it. */
  hedgeMs(host: string): number {
    const usual = (this.usual.get(host) ?? 0) * USUAL_TIMES;
    return Math.min(Math.max(HEDGE_MIN_MS, usual), this.deadlineMs / 2);
  }
}

/**
 * Starts `attempt` on each of `list` in order (those `mayAsk` lets through when their turn comes):
 * the next one when the last failed, or when it gave no answer within `hedgeMs` of it. Asked beside
 * a silent one, the next is the first on another host than those still silent, when there is one:
 * two backends that are namespaces of one registry (quay.io/cert-manager, quay.io/jetstack) are
 * silent together, and the hedge asked the same host again. Resolves with the first answer, or
 * every failure once all failed. `abandon` is aborted for an answer that came after another's (its
 * body let go); `stopped()` ends the asking (shutdown).
 */
export function hedgedInTurn<B, A>(
  list: B[], attempt: (b: B, abandon: AbortSignal) => Promise<Tried<A>>,
  opts: { mayAsk(b: B): boolean; hedgeMs(b: B): number; stopped(): boolean; hostOf?(b: B): string },
): Promise<{ ok: true; value: A; backend: B } | { ok: false; errors: unknown[] }> {
  return new Promise((resolve) => {
    const errors: unknown[] = [];
    const left = [...list];
    // The hosts of the attempts under way (a host may have several).
    const silent = new Map<string | B, number>();
    const hostOf = (b: B): string | B => opts.hostOf?.(b) ?? b;
    let pending = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      if (!done && pending === 0 && (left.length === 0 || opts.stopped())) {
        done = true;
        resolve({ ok: false, errors });
      }
    };
    const launch = (beside: boolean): void => {
      clearTimeout(timer);
      while (!done && !opts.stopped() && left.length > 0) {
        const elsewhere = beside ? left.findIndex((c) => !silent.has(hostOf(c))) : -1;
        const b = left.splice(Math.max(0, elsewhere), 1)[0]!;
        if (!opts.mayAsk(b)) continue;
        const abandon = new AbortController();
        const host = hostOf(b);
        pending++;
        silent.set(host, (silent.get(host) ?? 0) + 1);
        void attempt(b, abandon.signal).then((tried) => {
          pending--;
          const n = (silent.get(host) ?? 1) - 1;
          if (n > 0) silent.set(host, n);
          else silent.delete(host);
          if (tried.ok && done) abandon.abort();
          else if (tried.ok) {
            done = true;
            clearTimeout(timer);
            resolve({ ok: true, value: tried.value, backend: b });
          } else if (!done) {
            errors.push(tried.error);
            launch(false);
          }
          idle();
        });
        if (left.length > 0) timer = setTimeout(() => launch(true), opts.hedgeMs(b));
        return;
      }
      idle();
    };
    launch(false);
  });
}
