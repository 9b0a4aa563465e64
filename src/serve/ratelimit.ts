// A token bucket per client key, so one client cannot starve the rest. Pure: the clock is passed in.

/** Per-client request budget: `burst` at once, refilled at `perSecond`. */
export class ClientRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly maxClients = 50_000) {}

  /** True when `client` may make a request at `now` (ms); takes one token. */
  take(client: string, now: number): boolean {
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.delete(client);
    this.buckets.set(client, b);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    return ok;
  }

  /** Seconds until `client` has a token again (for Retry-After). */
  retryAfter(client: string): number {
    const b = this.buckets.get(client);
    return b ? Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) : 1;
  }
}
