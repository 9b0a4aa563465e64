// A registry that accepts connections and then says nothing (a hung process, a load balancer with
// nothing behind it, a token service that never answers) costs each request every attempt's
// timeout before its failure is said: 5 × 60 s for an answer, 5 × 10 s for a TLS handshake. At the
// first such timeout the run says so, once per host, so the wait is not silence.
import type { Logger } from '../../ui/log.js';
import { failureCode, saidOf } from './unreachable.js';

/** Timeouts worth saying: each is a long silence, not a quick failure. */
const SILENCES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a failure is one of those long silences (silence.ts: what shows a host silent). */
export function isSilence(e: unknown): boolean {
  const code = failureCode(e);
  return code !== undefined && SILENCES.has(code);
}

/** Shorter waits than this (the gateway's --timeout, tests) pass unsaid: the failure comes soon anyway. */
export const SAID_AFTER_MS = 10_000;

/** Hears each retried failure of `host`; warns at the first long silence among them. */
export function stallNotice(host: string, maxAttempts: number, waitMs: number, logger: Logger): (e: unknown) => void {
  let said = waitMs < SAID_AFTER_MS || maxAttempts < 2;
  return (e) => {
    if (said) return;
    if (!isSilence(e)) return;
    said = true;
    logger.warn(`${host}: ${saidOf(failureCode(e)!)}; asking again, up to ${maxAttempts} attempts a request`);
  };
}
