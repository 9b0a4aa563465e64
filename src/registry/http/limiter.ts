// Per-registry concurrency: 3 × `concurrency` (N) connections in the host's pool (connectionsFor),
// and N more requests handed to it than it has connections, shared by three kinds of request
// (regclient's rule: small requests never wait behind blobs):
//  - download: blob GETs, held until the body has been read or destroyed;
//  - upload:   blob PUT/PATCH with a body;
//  - small:    HEAD, manifests, tag lists, upload starts, mounts.
// Blob transfers together hold at most 2N slots, so N are always left for small requests; and
// whatever kind is busy may use the idle slots of the others, which is what hides the round trips
// of a distant registry (a fixed N per kind left two thirds of the pool idle in each phase of a
// copy). Downloads alone, and uploads alone, stay below 2N, so a download feeding an upload to
// the same registry always leaves an upload a slot: no deadlock. Slots go by priority (sync: the
// tag's place in the run), then in the order asked for.
// The N requests past the connections go out at once on the small requests' connections, which
// carry several each (pipelining.ts: HTTP/2 streams, HTTP/1.1 pipelined), or wait inside undici,
// which writes the next one on a connection the moment its answer ends. With slots for the
// connections alone, a freed slot went to the next request only after regmirror's own work on the
// answers of that moment (a turn of the event loop, 1–2 ms under load): at 40 ms a round trip a
// connection idled 3–5 % of the time (bench/README.md, thirty-seventh round). Blob transfers hold
// at most 2N, on connections of their own over HTTP/1.1 (send.ts), below that pool's 3N.
// The queue each lane's waiters wait in is lane-queue.ts.
import { AbortedError } from '../../types/errors.js';
import type { Lane } from './types.js';
import { before, Queue, type Waiter } from './lane-queue.js';

const LANES = ['small', 'download', 'upload'] as const;

/** The connections per origin of a host whose `concurrency` is N (its pools: host-trust.ts). */
export function connectionsFor(concurrency: number): number {
  return 3 * concurrency;
}

/** The request slots of one registry host. */
export class Lanes {
  private readonly inFlight: Record<Lane, number> = { small: 0, download: 0, upload: 0 };
  private readonly queues: Record<Lane, Queue> = { small: new Queue(), download: new Queue(), upload: new Queue() };
  private total = 0;
  private tickets = 0;
  private readonly waitingOn = new WeakMap<AbortSignal, Set<Waiter>>();

  constructor(readonly concurrency: number) {}

  /**
   * The turn of a request that takes no slot (a token fetch: slot.ts). Nothing to wait for here;
   * PacedLanes (rate-limit.ts) keeps the host's rateLimit for it as for every other request.
   */
  pace(_signal?: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  /** Requests this host may have in flight at once, all lanes together: its connections and N ready behind them. */
  get capacity(): number {
    return connectionsFor(this.concurrency) + this.concurrency;
  }

  /**
   * Waits for a slot in `lane`; the returned function frees it (idempotent). Queued requests get
   * slots lowest `priority` first, then in the order asked.
   */
  acquire(lane: Lane, signal?: AbortSignal, priority = 0): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedError('aborted'));
    // Nobody waits in this lane, whatever their priority (pump() already served every lane with
    // room): take the slot now, without a queue entry or an abort listener; most requests come so.
    if (this.queues[lane].peek() === undefined && this.room(lane)) return Promise.resolve(this.take(lane));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        ticket: this.tickets++,
        lane,
        cancelled: false,
        grant: (release) => {
          if (signal) this.waitingOn.get(signal)?.delete(waiter);
          resolve(release);
        },
        // Aborted (or refused) while queued: skipped when its turn comes; a granted slot is the caller's to free.
        cancel: (reason = new AbortedError('aborted')) => {
          if (signal) this.waitingOn.get(signal)?.delete(waiter);
          waiter.cancelled = true;
          reject(reason);
        },
      };
      this.queues[lane].push(waiter);
      if (signal) this.watch(signal).add(waiter);
      this.pump();
    });
  }

  /** Fails every request still waiting for a slot with `reason` (the host went silent: silence.ts). */
  refuseWaiting(reason: Error): void {
    for (const lane of LANES) {
      for (let w = this.queues[lane].peek(); w; w = this.queues[lane].peek()) {
        this.queues[lane].shift();
        w.cancel(reason);
      }
    }
  }

  /**
   * The waiters queued under `signal`, with one abort listener for all of them: a listener per
   * waiter made every queued request walk the signal's list (EventTarget refuses duplicates), and
   * with a backfill's hundreds of requests waiting, that walk cost more than the requests.
   */
  private watch(signal: AbortSignal): Set<Waiter> {
    let waiting = this.waitingOn.get(signal);
    if (!waiting) {
      const mine = new Set<Waiter>();
      waiting = mine;
      this.waitingOn.set(signal, mine);
      signal.addEventListener('abort', () => {
        for (const w of mine) w.cancel();
        mine.clear();
      }, { once: true });
    }
    return waiting;
  }

  /** Counts a slot of `lane` as taken; returns the function that gives it back (once). */
  private take(lane: Lane): () => void {
    this.inFlight[lane]++;
    this.total++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.inFlight[lane]--;
      this.total--;
      this.pump();
    };
  }

  private room(lane: Lane): boolean {
    if (this.total >= this.capacity) return false;
    if (lane === 'small') return true;
    const blobs = this.inFlight.download + this.inFlight.upload;
    return blobs < 2 * this.concurrency && this.inFlight[lane] < Math.max(1, 2 * this.concurrency - 1);
  }

  /** Grants free slots to the first waiters (by priority, then age) whose lane has room. */
  private pump(): void {
    for (;;) {
      let next: Waiter | undefined;
      for (const lane of LANES) {
        const head = this.queues[lane].peek();
        if (head && this.room(lane) && (!next || before(head, next))) next = head;
      }
      if (!next) return;
      this.queues[next.lane].shift();
      next.grant(this.take(next.lane));
    }
  }
}
