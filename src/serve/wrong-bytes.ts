// Backends caught serving a blob whose bytes do not hash to its digest (a corrupted mirror, a
// broken cache in front of it). Without this memory the gateway sent every client back to the
// same backend: a streamed blob broke at its end each time (502) and a 307 sent the client to the
// wrong bytes each time, with nothing in the log. Now that backend is skipped for that blob for a
// while, and the log says so once per backend and blob. Pure: the clock is passed in.

/** How long a backend stays skipped for a blob it served wrong: long enough not to hurt clients
 * often, short enough that a repaired mirror is used again without a restart. */
export const WRONG_BYTES_TTL_MS = 10 * 60_000;

/** (backend host, digest) pairs found wrong, and when. */
export class WrongBytes {
  private readonly found = new Map<string, number>();

  constructor(private readonly ttlMs = WRONG_BYTES_TTL_MS, private readonly maxEntries = 10_000) {}

  /** True while `host` is known to serve wrong bytes for `digest`. */
  has(host: string, digest: string, now: number): boolean {
    const at = this.found.get(key(host, digest));
    return at !== undefined && now - at < this.ttlMs;
  }

  /** Records a wrong answer; true when it is news (not already known at `now`): worth a log line. */
  add(host: string, digest: string, now: number): boolean {
    if (this.has(host, digest, now)) return false;
    const k = key(host, digest);
    this.found.delete(k);
    this.found.set(k, now);
    if (this.found.size > this.maxEntries) this.found.delete(this.found.keys().next().value!);
    return true;
  }
}

/** The log line: which backend, which blob of which served image, and what happens now. */
export function wrongBytesLine(host: string, digest: string, image: string, actual: string, ttlMs = WRONG_BYTES_TTL_MS): string {
  return `backend ${host} served ${digest} of ${image} with wrong bytes (they hash to ${actual}); `
    + `skipped for that blob for ${Math.round(ttlMs / 60_000)} min (its copy there needs repair)`;
}

function key(host: string, digest: string): string {
  return `${host} ${digest}`;
}
