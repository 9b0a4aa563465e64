// One chunk of a chunked upload (PATCH), and what to do when its answer is lost. A PATCH that
// failed without a usable answer (a reset, a body cut, a proxy's 502 after the registry stored
// the chunk) may have left all, part or none of its bytes in the session. Sent again blind, a
// registry that checks Content-Range (the OCI spec; zot, quay) refuses it 416, which read as a
// refused size taught the upload policy a wrong chunk size and, with the chunk size the registry
// states, failed the blob ('no other chunk size is left to try'); distribution 2.8 cancels a
// session reached with its outdated URL. The session is asked where it stands (GET: Range 0-N,
// as the distribution spec has a client do) and the chunk goes on from the byte it names.
import type { CallOptions } from '../content/storage.js';
import { discard } from './http/body.js';
import { expectStatus, responseError } from './http/errors.js';
import { backoff, isTransientNetworkError, parseRetryAfter, pause, RETRYABLE_STATUS } from './http/retry.js';
import { header, type RetryBudget } from './http/types.js';
import { resolveLocation, type RepoContext } from './repo-context.js';

/**
 * PATCHes `chunk` (bytes `offset`.. of the blob) to the session at `location`; returns the URL to
 * go on with. A refusal is thrown as the registry's error (the caller adapts to sizes); a lost
 * answer is followed by a question to the session, at most `budget` PATCHes in all (the caller's
 * step(): a failure once it is spent is not repeated by another whole upload).
 */
export async function sendChunk(repo: RepoContext, location: URL, chunk: Buffer, offset: number, budget: RetryBudget, opts: CallOptions): Promise<URL> {
  let at = location;
  let held = 0; // bytes of this chunk the session holds
  for (let retry = 1; ; retry++) {
    const part = chunk.subarray(held);
    let lost: unknown;
    let wait: number | undefined;
    try {
      // A PATCH sent again here is counted by onRetry below; only the first of a repeated upload by `again`.
      const res = await repo.host.send({
        method: 'PATCH', url: at, scopes: repo.scopes, lane: 'upload', signal: opts.signal, priority: opts.priority, again: retry === 1 ? opts.again : undefined, body: part, budget, noRetry: true,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(part.byteLength), 'content-range': `${offset + held}-${offset + chunk.byteLength - 1}` },
      });
      // ECR answers 201; its Range may stop advancing, so the offset is counted by the caller, not read back.
      if (!RETRYABLE_STATUS.has(res.status)) {
        await expectStatus('PATCH', res, 201, 202, 204);
        discard(res.body, header(res, 'content-length'));
        return resolveLocation('PATCH', res);
      }
      wait = parseRetryAfter(header(res, 'retry-after'));
      lost = await responseError('PATCH', res);
    } catch (e) {
      if (!isTransientNetworkError(e)) throw e;
      lost = e;
    }
    if (budget.remaining <= 0) throw lost;
    repo.host.retry.onRetry?.(lost);
    await pause(wait ?? backoff(repo.host.retry, retry), opts.signal);
    const state = await sessionState(repo, at, opts);
    if (!state) throw lost; // the session is gone (distribution 2.8 after bytes landed): a new upload
    // A Range inside this chunk is believed; one before it (ECR's, which stops advancing) or past
    // it is not, and the part is sent again where it was.
    if (state.stored < offset + held || state.stored > offset + chunk.byteLength) continue;
    held = state.stored - offset;
    at = state.location;
    if (held === chunk.byteLength) return at;
  }
}

/** Bytes an upload session holds and the URL to go on with; undefined when it cannot say. */
async function sessionState(repo: RepoContext, location: URL, opts: CallOptions): Promise<{ stored: number; location: URL } | undefined> {
  const res = await repo.host.send({ method: 'GET', url: location, scopes: repo.scopes, signal: opts.signal, priority: opts.priority }).catch(() => undefined);
  if (!res) return undefined;
  discard(res.body, header(res, 'content-length'));
  const end = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range')?.trim() ?? '')?.[1];
  if ((res.status !== 204 && res.status !== 200) || end === undefined) return undefined;
  // "0-0" is what distribution says of an empty session (and of one byte); chunks are larger.
  return { stored: end === '0' ? 0 : Number(end) + 1, location: header(res, 'location') ? resolveLocation('GET', res) : location };
}
