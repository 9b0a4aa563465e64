// The gateway's backends: one breaker per registry host, a short deadline per request, and the
// rule for which failures are live errors (they open the breaker: refused, timed out, 5xx, 429)
// and which only mean "not here" (404, a wrong digest, refused credentials). That rule, and how a
// failure is said, is backend-failures.ts; one attempt, and a race of all, backend-attempts.ts.
import type { RegistryClient } from '../registry/client.js';
import type { RemoteRepository } from '../registry/repository.js';
import { RegmirrorError } from '../types/errors.js';
import { formatRepository, type RepositoryRef } from '../types/reference.js';
import { Breaker, tryOrder } from './breaker.js';
import { AnswerTimes, hedgedInTurn } from './hedge.js';
import { saidOf } from '../registry/http/unreachable.js';
import { NoAnswerError, oneLine, StalledError } from './backend-failures.js';
import { attempt, race, type Asking } from './backend-attempts.js';

/** A backend's answer to a request. */
export interface Answered<T> { ok: true; value: T; backend: Backend }

/** A registry repository the gateway reads from, named for events and metrics by its host. */
export interface Backend {
  ref: RepositoryRef & { scheme: 'registry' };
  host: string;
  repo: RemoteRepository;
}

/** Breakers, deadlines and repositories for every backend host. */
export class BackendPool {
  readonly breakers = new Map<string, Breaker>();
  /** Failovers: a request that moved past a backend because of a live error (`e`). */
  onFailover: (host: string, e: unknown) => void = () => {};

  /** Each host's usual answer time, for how long it may be silent before the next is asked beside it. */
  private readonly times: AnswerTimes;
  /** What attempts (backend-attempts.ts) use of the pool. */
  private readonly asking: Asking;

  constructor(
    private readonly client: RegistryClient,
    private readonly opts: { deadlineMs: number; coolDownMs: number; now: () => number; signal: AbortSignal },
  ) {
    this.times = new AnswerTimes(opts.deadlineMs);
    this.asking = { pool: this, times: this.times, shutdown: opts.signal };
  }

  /** The backend objects for an image's list, in preference order. */
  backends(refs: RepositoryRef[]): Backend[] {
    return refs.flatMap((ref) => (ref.scheme === 'registry'
      ? [{ ref, host: ref.registry, repo: this.client.repository(ref.registry, ref.repository, 'pull') }]
      : []));
  }

  breaker(host: string): Breaker {
    let b = this.breakers.get(host);
    if (!b) this.breakers.set(host, (b = new Breaker(this.opts.coolDownMs)));
    return b;
  }

  /** Backends to try now: healthy ones first in order; all of them when every breaker is open. */
  order(list: Backend[], skip: (b: Backend) => boolean = () => false): Backend[] {
    const now = this.opts.now();
    return tryOrder(list, (b) => this.breaker(b.host).available(now), skip);
  }

  /**
   * A signal that ends at shutdown, or at the deadline unless `done()` came first: the deadline
   * covers getting an answer, not streaming a large blob afterwards. `explain(e)` turns the
   * failure the deadline caused into a NoAnswerError.
   */
  deadline(): { signal: AbortSignal; done(): void; explain(e: unknown): unknown } {
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(new NoAnswerError(this.opts.deadlineMs)), this.opts.deadlineMs);
    t.unref();
    return {
      signal: AbortSignal.any([timer.signal, this.opts.signal]),
      done: () => clearTimeout(t),
      explain: (e) => (timer.signal.aborted && !this.opts.signal.aborted ? timer.signal.reason : e),
    };
  }

  /** A live error from `host` (also one that broke a stream midway): its breaker opens, a failover counted. */
  failed(host: string, error: unknown): void {
    // undici's own words for a stream that stalled or broke were all the log and stats page said.
    const code = (error as { code?: unknown } | undefined)?.code;
    const said = typeof code === 'string' && !(error instanceof RegmirrorError) ? saidOf(code) : undefined;
    const e = code === 'UND_ERR_BODY_TIMEOUT' ? new StalledError(this.opts.deadlineMs)
      : said ? new RegmirrorError(`its answer broke off midway: ${said}`) : error;
    this.breaker(host).failure(this.opts.now(), oneLine(e));
    this.onFailover(host, e);
  }

  /**
   * Runs `op` on each backend in turn until one answers (the next asked beside one silent past its
   * hedge delay); live errors open that backend's breaker. Returns the answer and its backend, or
   * every failure when none answered.
   */
  async first<T>(list: Backend[], op: (b: Backend, signal: AbortSignal) => Promise<T>, skip?: (b: Backend) => boolean): Promise<Answered<T> | { ok: false; errors: unknown[] }> {
    const errors: unknown[] = [];
    const order = this.order(list, skip);
    // Every breaker open: all are tried anyway. Else a half-open one's trial is taken only when it is tried.
    const anyway = !order.some((b) => this.breaker(b.host).available(this.opts.now()));
    // When every one that may be asked failed, those whose breaker is open are asked last rather
    // than none: a backend that failed a second ago is often fine now, and the client's 503 is certain.
    const rest = anyway ? [] : list.filter((b) => !order.includes(b) && !skip?.(b));
    // Last of all those skipped (a blob they once sent wrong): a transient flip must not make the
    // only backend still up refuse that blob for 10 minutes; its bytes are proven again (respond.ts).
    const spoiled = skip ? list.filter(skip) : [];
    // Every one known down: asked at once, not in turn. In turn, backends that hang (stopped,
    // black-holed) cost the client one deadline each: 15 to 20 s for each request of a pull, a
    // minute or more before it failed, where one that came back answers as soon as it is asked.
    if (anyway && order.length > 1) {
      const raced = await race(this.asking, order, op);
      if (raced.ok || this.opts.signal.aborted) return raced;
      errors.push(...raced.errors);
    }
    // In turn, the next one asked beside one that is silent past its hedge delay (hedge.ts).
    const inTurn = await hedgedInTurn(anyway && order.length > 1 ? spoiled : [...order, ...rest, ...spoiled], (b, abandon) => attempt(this.asking, b, op, abandon), {
      mayAsk: (b) => anyway || !order.includes(b) || this.breaker(b.host).allow(this.opts.now()),
      hedgeMs: (b) => this.times.hedgeMs(b.host),
      stopped: () => this.opts.signal.aborted,
      hostOf: (b) => b.host,
    });
    return inTurn.ok ? inTurn : { ok: false, errors: [...errors, ...inTurn.errors] };
  }
}

/** `host/repository` of a backend. */
export function backendName(b: Backend): string {
  return formatRepository(b.ref);
}
