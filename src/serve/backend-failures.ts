// Which failures of a backend are live errors (they open its breaker: refused, timed out, 5xx, 429)
// and which only mean "not here" (404, refused credentials), and how a failure is said in the log
// and on the stats page: the pool that asks backends (backends.ts) and the probes (health.ts) share them.
import { AbortedError, AccessDeniedError, MalformedAnswerError, NotFoundError, RegistryResponseError, RegmirrorError, UnreachableError } from '../types/errors.js';
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
