// The gateway's backends: one breaker per registry host, a short deadline per request, and the
// rule for which failures are live errors (they open the breaker: refused, timed out, 5xx, 429)
// and which only mean "not here" (404, a wrong digest, refused credentials).
import type { RegistryClient } from '../registry/client.js';
import type { RemoteRepository } from '../registry/repository.js';
import { AbortedError, AccessDeniedError, MalformedAnswerError, NotFoundError, RegistryResponseError, RegmirrorError, UnreachableError } from '../types/errors.js';
import { formatRepository, type RepositoryRef } from '../types/reference.js';
import { Breaker, tryOrder } from './breaker.js';
import { AnswerTimes, hedgedInTurn } from './hedge.js';
import { saidOf } from '../registry/http/unreachable.js';
import { PageInsteadOfAnswerError, RERUN } from '../registry/http/front-pages.js';

/**
 * A backend that let the deadline pass without answering. The transport only knows its request
 * was aborted: logged as that, "backend HOST is down: aborted" hid that the host was slow, and
 * which setting decides how slow is too slow.
 */
export class NoAnswerError extends RegmirrorError {
  constructor(readonly deadlineMs: number) {
    super(`gave no answer within ${deadlineMs / 1000} s (--timeout)`);
  }
}

/** A backend whose answer stopped arriving midway for the deadline (undici said "Body Timeout Error"). */
export class StalledError extends RegmirrorError {
  constructor(readonly deadlineMs: number) {
    super(`stopped sending midway: no byte for ${deadlineMs / 1000} s (--timeout)`);
  }
}

/**
 * True for failures that say the backend itself is unwell (a proxy in front of it framing answers
 * wrongly too: framing.ts; or answering with its own page, a maintenance page sent as 200).
 */
export function isLiveError(e: unknown): boolean {
  if (e instanceof UnreachableError || e instanceof AbortedError || e instanceof NoAnswerError || e instanceof MalformedAnswerError || e instanceof PageInsteadOfAnswerError) return true;
  if (e instanceof RegistryResponseError) return e.status >= 500 || e.status === 429 || e.status === 408;
  return false;
}

/**
 * True for a backend's answer that it lacks the repository or the content: a 404, or quay.io's
 * 401 for a repository that is absent (or private) after its token was granted. The host itself is
 * well, and a name missing at every backend is a 404 for the client, not a 503.
 */
export function isAbsence(e: unknown): boolean {
  return e instanceof NotFoundError || e instanceof AccessDeniedError;
}

/** True when every backend asked answered that it lacks the thing (a 404 for the client, not a 503). */
export function absentEverywhere(errors: unknown[], alsoAbsent: (e: unknown) => boolean = () => false): boolean {
  return errors.length > 0 && errors.every((e) => isAbsence(e) || alsoAbsent(e));
}

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

  constructor(
    private readonly client: RegistryClient,
    private readonly opts: { deadlineMs: number; coolDownMs: number; now: () => number; signal: AbortSignal },
  ) {
    this.times = new AnswerTimes(opts.deadlineMs);
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
      const raced = await this.race(order, op);
      if (raced.ok || this.opts.signal.aborted) return raced;
      errors.push(...raced.errors);
    }
    // In turn, the next one asked beside one that is silent past its hedge delay (hedge.ts).
    const inTurn = await hedgedInTurn(anyway && order.length > 1 ? spoiled : [...order, ...rest, ...spoiled], (b, abandon) => this.attempt(b, op, abandon), {
      mayAsk: (b) => anyway || !order.includes(b) || this.breaker(b.host).allow(this.opts.now()),
      hedgeMs: (b) => this.times.hedgeMs(b.host),
      stopped: () => this.opts.signal.aborted,
      hostOf: (b) => b.host,
    });
    return inTurn.ok ? inTurn : { ok: false, errors: [...errors, ...inTurn.errors] };
  }

  /** `op` on every one of `list` at once: the first answer, the others then abandoned (aborted). */
  private race<T>(list: Backend[], op: (b: Backend, signal: AbortSignal) => Promise<T>): Promise<Answered<T> | { ok: false; errors: unknown[] }> {
    const abandon = list.map(() => new AbortController());
    const errors: unknown[] = [];
    let left = list.length;
    return new Promise((resolve) => list.forEach((b, i) => {
      void this.attempt(b, op, abandon[i]!.signal).then((tried) => {
        left--;
        if (tried.ok) {
          abandon.forEach((a, j) => j !== i && a.abort());
          resolve(tried); // a later one's too, after the first: a no-op, its body destroyed by the abort
        } else if (!abandon[i]!.signal.aborted) errors[i] = tried.error;
        if (left === 0) resolve({ ok: false, errors: errors.filter((e) => e !== undefined) });
      });
    }));
  }

  /** `op` on one backend within the deadline (or until `abandoned`); its breaker told how it went. */
  private async attempt<T>(b: Backend, op: (b: Backend, signal: AbortSignal) => Promise<T>, abandoned?: AbortSignal): Promise<Answered<T> | { ok: false; error: unknown }> {
    const deadline = this.deadline();
    const started = performance.now();
    try {
      const value = await op(b, abandoned ? AbortSignal.any([deadline.signal, abandoned]) : deadline.signal);
      deadline.done();
      this.times.observe(b.host, performance.now() - started);
      this.breaker(b.host).success();
      return { ok: true, value, backend: b };
    } catch (err) {
      deadline.done();
      const error = deadline.explain(err);
      // Shut down, or abandoned for another backend's answer: nothing said about this one.
      if (this.opts.signal.aborted || abandoned?.aborted) return { ok: false, error };
      if (isLiveError(error)) this.failed(b.host, error);
      else {
        this.times.observe(b.host, performance.now() - started);
        this.breaker(b.host).answered();
      }
      return { ok: false, error };
    }
  }
}

/**
 * Longest reason kept for the stats page: a certificate error's line runs to ~330 characters and
 * ends with what to set in mirrors.yaml, which a 200-character cut used to drop mid-word.
 */
export const REASON_MAX = 600;

/**
 * The reason for the stats page and the log: the error's first line, whole unless very long (never
 * a URL query or credential), less a run's advice to rerun (RERUN): the gateway fails over itself.
 */
export function oneLine(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(RERUN, '');
  return line.length <= REASON_MAX ? line : `${line.slice(0, REASON_MAX - 1)}…`;
}

/** What the gateway does about a backend that failed, for its log lines: a run's advice is to rerun. */
export function failingOver(intervalS: number): string {
  return `requests go to the next backend meanwhile, and it is probed again every ${intervalS} s`;
}

/** `host/repository` of a backend. */
export function backendName(b: Backend): string {
  return formatRepository(b.ref);
}
