// A backend that goes down and comes back every few seconds (a registry restarting in a loop, a
// front end switching between a good and a bad upstream) was said "is down" and "is back" at each
// turn: 72 lines in 5 minutes of a backend flapping every 2 s (gateway5 hunt), the log drowned in
// the same two lines. From its third outage within 10 minutes a backend is flapping: one line
// says so (again at most once in 10 minutes, with the count), its short downs and returns unsaid.

/** Outages within FLAPPING_WINDOW_MS from which a backend counts as flapping. */
export const FLAPPING_OUTAGES = 3;
export const FLAPPING_WINDOW_MS = 10 * 60_000;
/** A quiet outage this long is a real one after all: its end is said. */
export const LONG_OUTAGE_MS = 60_000;

/** When each backend's recent outages began. Pure. */
export class FlapCounter {
  private readonly starts = new Map<string, number[]>();

  /** An outage of `host` begins at `now`: how many began within the window, this one included. */
  began(host: string, now: number): number {
    const recent = (this.starts.get(host) ?? []).filter((t) => now - t < FLAPPING_WINDOW_MS);
    recent.push(now);
    this.starts.set(host, recent);
    return recent.length;
  }
}
