// A circuit breaker per backend: a live error (refused, timed out, 5xx, 429) opens it for a
// cool-down, so requests go to the next backend at once instead of waiting on a dead one; the
// next probe or a request after the cool-down (half-open: one request tries) closes it again.
// Pure: the clock is passed in.

/** closed = in use; open = skipped until `until`; half-open = one trial request allowed. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One backend's breaker. */
export class Breaker {
  private openUntil = 0;
  private trial = false;
  /** Times it opened: the backend taken out of rotation (the metrics count each request that moved past it). */
  opened = 0;
  /** The last failure, for the stats page and /-/ready. */
  lastError = '';

  constructor(private readonly coolDownMs: number) {}

  /** The state at `now`. */
  state(now: number): BreakerState {
    if (this.openUntil === 0) return 'closed';
    return now < this.openUntil ? 'open' : 'half-open';
  }

  /** True when a request may go to this backend now (half-open lets one trial through). */
  allow(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trial) return false;
    this.trial = true;
    return true;
  }

  /** True when `allow` would let a request through now; takes nothing (ordering backends must not take a trial). */
  available(now: number): boolean {
    const s = this.state(now);
    return s === 'closed' || (s === 'half-open' && !this.trial);
  }

  /** A request or probe succeeded: close. */
  success(): void {
    this.openUntil = 0;
    this.trial = false;
    this.lastError = '';
  }

  /**
   * An answer that is no live error (a 404, quay.io's 401 for an absent repository): the host is
   * up, so a trial that got one closes the breaker. Left taken, the trial kept the backend out of
   * use until the next probe.
   */
  answered(): void {
    if (this.trial) this.success();
  }

  /** A live error: open (again) for the cool-down. */
  failure(now: number, why: string): void {
    if (this.state(now) !== 'open') this.opened++;
    this.openUntil = now + this.coolDownMs;
    this.trial = false;
    this.lastError = why;
  }
}

/**
 * The order to try backends in: those whose breaker allows a request, in preference order; when
 * every one is open, all of them anyway (a stale answer from somewhere beats none).
 */
export function tryOrder<T>(backends: T[], allow: (b: T) => boolean, skip: (b: T) => boolean = () => false): T[] {
  const candidates = backends.filter((b) => !skip(b));
  const open = candidates.filter(allow);
  return open.length > 0 ? open : candidates;
}
