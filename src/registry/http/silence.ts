// A host that accepted a request and said nothing for the whole answer timeout, nothing else from
// it answering since that request went out (quay.io hung at 3 a.m.), is silent: every request to
// it waited its own maxAttempts × 60 s, so the run ended when the last of them gave up (~5 min).
// Once it is shown silent, its requests in back-off or queued fail at once with the line of the
// timeout that showed it, until it answers something again. A host that is merely slow (some
// requests time out while others answer) is never silent and keeps its retries.
import { setMaxListeners } from 'node:events';
import { isSilence } from './stall.js';

/**
 * A timeout shows the host silent too when an answer came after its request went out but none for
 * this long since (verify5: a target SIGSTOPped mid `verify --deep`: every request in flight had
 * seen one last answer arrive after it was sent, so each timeout read as a slow host's, was asked
 * again, and the run waited a second answer timeout: 124 s to exit 3). A slow host answers within it.
 */
export const QUIET_MS = 10_000;

/** Why a request waiting for one of the host's slots was failed: the host went silent (the timeout that showed it). */
export class SilenceRefusal extends Error {
  constructor(readonly shown: unknown) {
    super('the host went silent');
  }
}

/** What the requests to one host's own origin showed of it: answers, and the silence that ended them. */
export class Silence {
  private answers = 0;
  private lastAnswerAt = -Infinity;
  /** The timeout that showed the host silent; undefined while it answers. */
  private shown: unknown;
  private probedAt = 0;
  private readonly listeners = new Set<(shown: unknown) => void>();
  /** Aborted as the host is shown silent: what the requests waiting on it then (untilSilent) hear. */
  private cut = unlimited(new AbortController());
  /** Each caller's signal joined with `cut`, made once per signal (the run's one, for a run's requests). */
  private joined = new WeakMap<AbortSignal, AbortSignal>();

  /**
   * `probeEveryMs`: while silent, a new request goes out this often as the probe of whether the
   * host answers again (the gateway's breaker lives on them); the others fail at once.
   */
  constructor(readonly origin: string, private readonly probeEveryMs: number, private readonly now: () => number = () => performance.now()) {}

  /** Whether `url` is the host's own (a redirect's CDN or a realm elsewhere is no word of the host's). */
  watches(url: URL): boolean {
    return url.origin === this.origin;
  }

  /** Noted as an attempt goes out: the answers heard so far. */
  sent(): number {
    return this.answers;
  }

  /** The host answered (any status): it speaks, whatever it showed before. */
  answered(): void {
    this.answers++;
    this.lastAnswerAt = this.now();
    this.shown = undefined;
  }

  /**
   * An attempt noted `mark` failed with `e`; true when that shows the host silent: a timeout, and
   * no answer since it went out, or (`bodiless`: a request without a body) none for QUIET_MS. A
   * body's timeout is not enough for the second: a body over HTTP/2 that a front end's window holds
   * (HAProxy's tune.bufsize) gets no answer while the host answers nothing else either, and is
   * moved to HTTP/1.1 (send.ts); read as silence, every request in flight failed with it.
   */
  failed(mark: number, e: unknown, bodiless = true): boolean {
    if (!isSilence(e) || (mark !== this.answers && !(bodiless && this.now() - this.lastAnswerAt >= QUIET_MS))) return false;
    const was = this.shown;
    this.shown = e;
    this.probedAt = this.now();
    if (was === undefined) {
      for (const listener of [...this.listeners]) listener(e);
      this.cut.abort(e);
      [this.cut, this.joined] = [unlimited(new AbortController()), new WeakMap()];
    }
    return true;
  }

  /**
   * The signal for a request that waits on the host, `parent` joined with the one aborted as the
   * host is shown silent (`cut`, to tell that abort from the caller's). Shared: one AbortSignal.any
   * per caller's signal until the host is shown silent, not one per request (each cost ~17 µs and a
   * weak reference for the garbage collector, 0.5 s of CPU over a cold copy's 7,000 requests).
   */
  waitSignal(parent: AbortSignal | undefined): { signal: AbortSignal; cut: AbortSignal } {
    const cut = this.cut.signal;
    if (!parent) return { signal: cut, cut };
    let signal = this.joined.get(parent);
    if (!signal) {
      signal = AbortSignal.any([parent, cut]);
      setMaxListeners(0, signal); // every request in flight to the host listens to it
      this.joined.set(parent, signal);
    }
    return { signal, cut };
  }

  /**
   * The timeout an attempt fails with at once, or undefined to send it: while the host is silent no
   * retry goes out, and a first attempt only as the probe of its interval.
   */
  refuses(retry: boolean): unknown {
    if (this.shown === undefined) return undefined;
    if (!retry && this.now() - this.probedAt >= this.probeEveryMs) {
      this.probedAt = this.now();
      return undefined;
    }
    return this.shown;
  }

  /** Hears the host go silent (requests in back-off or queued to fail); returns what stops hearing it. */
  onSilent(listener: (shown: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** `controller`, its signal listened to by every request in flight to a host without a warning. */
function unlimited(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
