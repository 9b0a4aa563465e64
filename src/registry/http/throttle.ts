// Host-local slow-down after a 429 (Docker Hub's `toomanyrequests` comes without Retry-After):
// the host that said it is my rate that is too high gets a request rate, paced request by
// request, cut on each new 429 and raised again while it keeps answering. Other hosts are
// untouched. A `ratelimit-limit: N;w=S` header (Docker Hub's) sets the rate and the pause.
import type { Logger } from '../../ui/log.js';
import { parseRetryAfter, pause } from './retry.js';
import { header, type Send } from './types.js';

/** Slowest pace we go down to, in requests per second. */
export const MIN_RATE = 0.5;
/** A pause after a 429 with nothing to go by starts here and doubles on each cut in a row. */
const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;
/** Window over which the pace is measured when the registry does not say its limit. */
const OBSERVE_MS = 2000;
/** Shortest span a pace is measured over (a pace over fewer ms is noise). */
const MIN_SPAN_MS = 100;

/** `ratelimit-limit: 100;w=21600` (IETF draft RateLimit fields, as Docker Hub sends them). */
export function parseRateLimit(value: string | undefined): { limit: number; windowSeconds: number } | undefined {
  const m = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value ?? '');
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowSeconds = m[2] === undefined ? 1 : Number(m[2]);
  return limit > 0 && windowSeconds > 0 ? { limit, windowSeconds } : undefined;
}

/** The pace of one host: unlimited until it answers 429. Times are in ms from `now`. */
export class Throttle {
  /** Requests per second; Infinity = not throttled. */
  rate = Number.POSITIVE_INFINITY;
  /** Bumped on every cut: a 429 to a request admitted before the last cut was already counted. */
  generation = 0;
  private nextSlot = 0;
  private pausedUntil = 0;
  private cutsInARow = 0;
  private okSinceChange = 0;
  /** The registry's stated rate (with a margin), never exceeded once known. */
  private ceiling = Number.POSITIVE_INFINITY;
  /** Twice the pace at the first cut: reached again, the host is no longer paced. */
  private recovered = Number.POSITIVE_INFINITY;
  /** Request starts, those before `inWindow` older than the window (dropped in bulk, not shifted one by one). */
  private readonly starts: number[] = [];
  /**
   * The first of `starts` inside the window. Array.shift per request moved the whole window's
   * starts once V8 stops trimming in place: 4–5 µs a request at 10,000 requests/s to one host.
   */
  private inWindow = 0;
  /** When the first request to this host started: a run younger than OBSERVE_MS has not filled the window. */
  private firstStart: number | undefined;

  /** Takes a start slot; returns how long to wait before sending. */
  reserve(now: number): number {
    this.starts.push(now);
    this.firstStart ??= now;
    while (this.inWindow < this.starts.length && this.starts[this.inWindow]! < now - OBSERVE_MS) this.inWindow++;
    if (this.inWindow >= 1024 && 2 * this.inWindow >= this.starts.length) {
      this.starts.splice(0, this.inWindow);
      this.inWindow = 0;
    }
    const at = Math.max(now, this.pausedUntil, Number.isFinite(this.rate) ? this.nextSlot : 0);
    if (Number.isFinite(this.rate)) this.nextSlot = at + 1000 / this.rate;
    return at - now;
  }

  /**
   * A 429 to a request admitted in `generation`; true when it cut the pace (a new episode). With
   * Retry-After the registry said when: the host waits that long, at the pace it had.
   */
  limited(generation: number, now: number, limitHeader?: string, retryAfterMs?: number): boolean {
    if (retryAfterMs !== undefined) {
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
      return false;
    }
    if (generation < this.generation) return false;
    this.generation++;
    this.cutsInARow++;
    this.okSinceChange = 0;
    const said = parseRateLimit(limitHeader);
    // The pace over the part of the window the host has been in use: 3 requests in the first 50 ms
    // of a run are 30/s, not 1.5/s (which halved to the floor and paced a whole run at 0.5/s).
    const span = Math.min(OBSERVE_MS, Math.max(now - (this.firstStart ?? now), MIN_SPAN_MS));
    const observed = Math.max((this.starts.length - this.inWindow) / (span / 1000), 1);
    // The registry's own figure (with a margin) when it gives one, and never above it again;
    // otherwise half of what we did, and back to unlimited once twice that is reached again.
    const hint = said && said.windowSeconds <= 3600 ? (0.9 * said.limit) / said.windowSeconds : undefined;
    if (!Number.isFinite(this.rate)) this.recovered = observed * 2;
    if (hint !== undefined) this.ceiling = Math.min(this.ceiling, hint);
    const halved = Number.isFinite(this.rate) ? this.rate / 2 : observed / 2;
    // The stated rate on the first cut only: a 429 met at it (or below) says others share the
    // limit (parallel shards, one NAT address), so from then on each new episode halves the pace.
    this.rate = Math.max(MIN_RATE, hint !== undefined && !Number.isFinite(this.rate) ? hint : Math.min(halved, this.ceiling));
    const waitMs = said && said.windowSeconds * 1000 <= MAX_PAUSE_MS * 2 ? said.windowSeconds * 1000 : Math.min(FIRST_PAUSE_MS * 2 ** (this.cutsInARow - 1), MAX_PAUSE_MS);
    this.pausedUntil = Math.max(this.pausedUntil, now + waitMs);
    this.nextSlot = this.pausedUntil;
    return true;
  }

  /** A request that was not refused: after about a second of them at one pace, go 25 % faster. */
  succeeded(): void {
    if (!Number.isFinite(this.rate)) return;
    this.cutsInARow = 0;
    if (++this.okSinceChange < Math.max(10, this.rate)) return;
    this.okSinceChange = 0;
    this.rate = Math.min(this.rate * 1.25, this.ceiling);
    if (this.rate >= this.recovered && !Number.isFinite(this.ceiling)) this.rate = Number.POSITIVE_INFINITY;
  }
}

/** What the throttle layer tells the user: once per host, the first time it slows down. */
export interface ThrottleContext {
  host: string;
  /** The host's own origin: a 429 from another is its token service's (or a redirect target's), said as such. */
  origin?: string;
  throttle: Throttle;
  logger: Logger;
  now?: () => number;
  /**
   * Where the credentials this host's requests carry come from (credentials.ts `from`; '' when
   * unsaid), or undefined when they go anonymous: only then are credentials worth suggesting.
   */
  credentialFrom?: () => Promise<string | undefined>;
}

/** The warning's remedy: credentials only for a run that pulls anonymously (Docker Hub's anonymous limit). */
function remedy(host: string, credentialFrom: string | undefined): string {
  const lower = `a lower registries.${host}.concurrency avoids it`;
  if (credentialFrom === undefined) return `${lower}, and so do credentials where the limit is for anonymous pulls`;
  const where = credentialFrom === '' ? '' : ` (${credentialFrom})`;
  return `${lower}; its requests already carry credentials${where}, so the limit is theirs, shared with any other run using them`;
}

/** The layer between retry and send: every attempt waits for its slot; a 429 slows the host down. */
export function withThrottle(ctx: ThrottleContext, next: Send): Send {
  const now = ctx.now ?? Date.now;
  let warned = false;
  return async (req) => {
    const generation = ctx.throttle.generation;
    const wait = ctx.throttle.reserve(now());
    if (wait > 0) await pause(wait, req.signal);
    const res = await next(req);
    if (res.status !== 429 || req.probe) {
      if (res.status < 400) ctx.throttle.succeeded();
      return res;
    }
    const limit = header(res, 'ratelimit-limit');
    if (!ctx.throttle.limited(generation, now(), limit, parseRetryAfter(header(res, 'retry-after')))) return res;
    const pace = `${ctx.throttle.rate.toFixed(1)} requests/s`;
    if (warned) ctx.logger.debug(`${ctx.host}: 429 again, slowing down to ${pace}`);
    else {
      warned = true;
      const remaining = header(res, 'ratelimit-remaining');
      const said = limit ? ` (ratelimit-limit ${limit}${remaining ? `, remaining ${remaining}` : ''})` : '';
      const from = await ctx.credentialFrom?.().catch(() => undefined);
      // Docker Hub's auth.docker.io limits token requests of its own (tokens4 hunt: the line named the registry).
      const elsewhere = ctx.origin !== undefined && req.url.origin !== ctx.origin;
      const who = elsewhere ? `${ctx.host}: its ${req.unqueued ? 'token service' : 'redirect target'} ${req.url.origin}` : ctx.host;
      ctx.logger.warn(`${who} answers 429 too many requests${said}: slowing requests to ${ctx.host}${elsewhere ? ' (its token requests included)' : ''} down to ${pace}; ${remedy(ctx.host, from)}`);
    }
    return res;
  };
}
