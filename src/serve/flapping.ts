// A backend that goes down and comes back every few seconds (a registry restarting in a loop, a
// front end switching between a good and a bad upstream) was said "is down" and "is back" at each
// turn: 72 lines in 5 minutes of a backend flapping every 2 s (gateway5 hunt), the log drowned in
// the same two lines. From its third outage within 10 minutes a backend is flapping: one line
// says so (again at most once in 10 minutes, with the count), its short downs and returns unsaid.
// One of its outages that outlasts a minute is a real one: said when it has lasted that long (it
// was said by nobody until its end), and its end too.

/** Outages within FLAPPING_WINDOW_MS from which a backend counts as flapping. */
export const FLAPPING_OUTAGES = 3;
export const FLAPPING_WINDOW_MS = 10 * 60_000;
/** A quiet outage this long is a real one after all: said, and its end too. */
export const LONG_OUTAGE_MS = 60_000;

/** A backend the log was told about (or kept quiet about: `quiet`, while it flaps): since when, and the reason it gave last. */
export interface Outage { since: number; why: string; quiet?: boolean }

/** What a failed probe or request tells the log: nothing, down, flapping (with the count), or a quiet outage grown long. */
export type OutageNews = { say: 'none' | 'down' | 'long' } | { say: 'flapping'; outages: number };

/** When each backend's recent outages began, and how each failure and recovery is to be told. Pure. */
export class FlapCounter {
  private readonly starts = new Map<string, number[]>();

  /** An outage of `host` begins at `now`: how many began within the window, this one included. */
  began(host: string, now: number): number {
    const recent = (this.starts.get(host) ?? []).filter((t) => now - t < FLAPPING_WINDOW_MS);
    recent.push(now);
    this.starts.set(host, recent);
    return recent.length;
  }

  /** `host` failed at `now` for `why`, its outage so far `known`: the outage to keep, and what to say. */
  failed(host: string, known: Outage | undefined, why: string, now: number): { outage: Outage; news: OutageNews } {
    if (known?.quiet && now - known.since >= LONG_OUTAGE_MS) return { outage: { ...known, why, quiet: false }, news: { say: 'long' } };
    if (known?.why === why) return { outage: known, news: { say: 'none' } };
    const outages = known ? undefined : this.began(host, now);
    const quiet = known?.quiet === true || (outages ?? 0) >= FLAPPING_OUTAGES;
    const outage = { since: known?.since ?? now, why, quiet };
    if (!quiet) return { outage, news: { say: 'down' } };
    return { outage, news: outages === undefined ? { say: 'none' } : { say: 'flapping', outages } };
  }
}

/** Whether the end of `known` at `now` is said: not a short outage of a flapping backend. */
export function sayBack(known: Outage, now: number): boolean {
  return !known.quiet || now - known.since >= LONG_OUTAGE_MS;
}
