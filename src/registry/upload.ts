// Blob upload (distribution spec "Pushing blobs"): POST opens a session, then one monolithic PUT
// with the bytes, or PATCH chunks then PUT, as the registry's UploadPolicy (upload-policy.ts) has
// learned this run. Blobs up to SMALL_BLOB_BYTES are read into memory first so every request of
// their upload can be replayed; larger ones stream once, and a failure after the stream was
// touched goes back to the copier (which reads the source again under what the policy learned).
import type { Readable } from 'node:stream';
import { SMALL_BLOB_BYTES, type BlobContent, type CallOptions } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError, RegistryResponseError, retriedInPlace, UploadAdaptedError } from '../types/errors.js';
import { sessionKey } from './blobs.js';
import { discard, readCapped } from './http/body.js';
import { expectStatus, hasErrorCode, uploadNotStarted } from './http/errors.js';
import { newBudget } from './http/retry.js';
import { header, type RetryBudget } from './http/types.js';
import { assertNotMissing, resolveLocation, withQuery, writeFailure, present, type RepoContext } from './repo-context.js';
import { refusesPatch, refusesWhole, type Adaptation } from './upload-policy.js';
import { chunksOf } from './chunks.js';
import { cancelUpload } from './upload-cancel.js';
import { sendChunk } from './chunk-send.js';

/**
 * Uploads `content` (exactly desc.size bytes) under desc.digest: one whole upload, its bytes sent
 * once. Whole uploads are the copier's to repeat (copy/upload.ts: maxAttempts of them, a HEAD for
 * one that landed anyway, a stream read again): restarting here too multiplied them (a proxy
 * cutting every upload: 11 PUTs of a 1 MiB blob, said as 'tried 5 times'). Started again here
 * only where the attempt did not fail: a refusal the policy adapted to, or the session a mount
 * left (blobs.ts) said gone with another status than 404. A 404 (distribution's answer, a
 * NotFoundError) goes to the copier, which asks for the blob by HEAD first: such a PUT was often
 * sent twice and landed (test sync/put-sent-twice). A request the transport retried in place
 * until its budget was spent (a session start, a chunk) comes out marked so (step), and the copier
 * repeats no whole upload for it.
 */
export async function pushBlob(repo: RepoContext, desc: Descriptor, content: BlobContent, opts: CallOptions = {}): Promise<void> {
  const source: Buffer | Readable =
    content instanceof Uint8Array
      ? Buffer.from(content.buffer, content.byteOffset, content.byteLength)
      : desc.size <= SMALL_BLOB_BYTES
        ? await readCapped(content, desc.size, `blob ${desc.digest}`)
        : content;
  assertNotMissing(repo);
  const policy = repo.host.uploads;
  let adaptations = 0;
  // Started again after a refusal the policy adapted to, the upload is one retry however many
  // requests it takes (the chunks); after a session found gone, each request is one sent again.
  for (let call = opts; ; ) {
    const key = sessionKey(repo.path, desc.digest);
    const reused = repo.host.uploadSessions.get(key);
    repo.host.uploadSessions.delete(key);
    // Where the session is: each PATCH's answer may move it (its Location), and a cancel goes there.
    let session: { location: URL } | undefined;
    try {
      session = { location: await (reused ?? step(repo, (budget) => startUpload(repo, budget, call))) };
      if (policy.modeFor(desc.size) === 'chunked') {
        const documented = policy.documentedLine();
        if (documented) repo.host.options.logger.debug(`${repo.host.host} ${documented}`);
        await putChunked(repo, desc, source, session, policy.chunkBytes, call);
      } else await putMonolithic(repo, desc, source, session.location, call);
      present(repo);
      return;
    } catch (e) {
      // A refusal the policy learned from starts again at once (nothing transient to wait for).
      const adapted = e instanceof Refused ? e : undefined;
      const err = adapted ? adapted.cause : writeFailure(repo, e);
      // Whatever comes next opens a session of its own: this one is cancelled (upload-cancel.ts),
      // unless the registry said it is gone (a 404: closed, or the PUT sent twice landed).
      if (session && !opts.signal?.aborted && !(err instanceof NotFoundError) && !hasErrorCode(err, 'BLOB_UPLOAD_UNKNOWN')) cancelUpload(repo.host, repo.scopes, session.location);
      if (adapted && ++adaptations > MAX_ADAPTATIONS) throw err;
      if (!adapted && !(reused && hasErrorCode(err, 'BLOB_UPLOAD_UNKNOWN'))) throw err;
      // Start again with a fresh session, if the bytes can be sent again; a spent stream the
      // policy adapted to goes back to the copier, which reads the source again.
      const replayable = Buffer.isBuffer(source) || !source.readableDidRead;
      if (!replayable && adapted) throw new UploadAdaptedError(err);
      if (!replayable) throw err;
      call = { ...opts, again: adapted ? { counted: false } : true };
    }
  }
}

/**
 * Opens the blob's upload session now, while the copier reads its bytes from the source, for the
 * push that follows to take (its failure included, as if that push had asked): the session's POST
 * no longer waits for the read: a round trip off each blob a target was asked for by HEAD (a
 * release's one tag at 20 ms: bench/README.md, thirty-ninth round). Not where a session waits
 * already (a mount's 202), nor in a repository the registry said is missing. A session whose read
 * then failed is taken by the next attempt's push; one that failed to open is forgotten, and that
 * push opens its own.
 */
export function openUpload(repo: RepoContext, desc: Descriptor, opts: CallOptions = {}): void {
  const key = sessionKey(repo.path, desc.digest);
  if (repo.host.uploadSessions.has(key) || repo.host.missingRepositories.has(repo.path)) return;
  const opened = step(repo, (budget) => startUpload(repo, budget, opts));
  repo.host.uploadSessions.set(key, opened);
  opened.catch(() => {
    if (repo.host.uploadSessions.get(key) === opened) repo.host.uploadSessions.delete(key);
  });
}

/** Refusals one upload adapts to before giving up (a 413 halves the chunk each time: 8 MiB → 64 KiB is 7). */
const MAX_ADAPTATIONS = 8;

/** A refusal the host's UploadPolicy has adapted to (the registry's own error is the cause). */
class Refused extends Error {
  constructor(override readonly cause: unknown) {
    super('upload refused');
  }
}

/** Tells the policy (and -v) about a refusal and marks it; UploadRefusedError when nothing is left. */
function adapt(repo: RepoContext, e: unknown, change: () => Adaptation): Refused {
  const { change: what } = change();
  if (what !== 'none') repo.host.options.logger.debug(`${repo.host.host} ${what}`);
  return new Refused(e);
}

/**
 * One request of an upload, sent and checked by `run` under a retry budget of its own. A failure
 * after the transport spent that budget asking again in place is marked so (retriedInPlace): a
 * whole upload more would ask as often again (a proxy answering every session start 502 cost 25
 * POSTs per blob at maxAttempts 5, said as 'tried 5 times').
 */
async function step<T>(repo: RepoContext, run: (budget: RetryBudget) => Promise<T>): Promise<T> {
  const budget = newBudget(repo.host.retry);
  try {
    return await run(budget);
  } catch (e) {
    throw budget.remaining <= 0 ? retriedInPlace(e, repo.host.retry.maxAttempts) : e;
  }
}

async function startUpload(repo: RepoContext, budget: RetryBudget, opts: CallOptions): Promise<URL> {
  const url = repo.url('blobs/uploads/');
  const res = await repo.host.send({ method: 'POST', url, scopes: repo.scopes, signal: opts.signal, priority: opts.priority, again: opts.again, budget, headers: { 'content-length': '0' } });
  if (res.status !== 202 && res.status >= 200 && res.status < 300) {
    // A success that opens no session: worth a fresh try, and said as what it is, not as "200 OK".
    discard(res.body, header(res, 'content-length'));
    throw uploadNotStarted(url, res.status);
  }
  await expectStatus('POST', res, 202);
  discard(res.body, header(res, 'content-length'));
  repo.host.uploads.learnLimits(header(res, 'oci-chunk-min-length'), header(res, 'oci-chunk-max-length'));
  return resolveLocation('POST', res);
}

async function putMonolithic(repo: RepoContext, desc: Descriptor, source: Buffer | Readable, location: URL, opts: CallOptions): Promise<void> {
  const res = await repo.host.send({
    method: 'PUT', url: withQuery(location, 'digest', desc.digest), scopes: repo.scopes, lane: 'upload', signal: opts.signal, priority: opts.priority, again: opts.again,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
    // Never replayed in place: a PUT cut mid-body may have left bytes in the session, so any
    // failure goes back to the copier, whose next whole upload starts a fresh session.
    body: source, noRetry: true,
  });
  try {
    await expectStatus('PUT', res, 201, 204);
  } catch (e) {
    if (!(e instanceof RegistryResponseError) || !refusesWhole(e)) throw e;
    throw adapt(repo, e, () => repo.host.uploads.refusedWhole(e.status, desc.size));
  }
  repo.host.uploads.tookWhole(desc.size);
  discard(res.body, header(res, 'content-length'));
}

/** PATCHes the blob's chunks, then the closing PUT, each where the one before said; `session` follows. */
async function putChunked(repo: RepoContext, desc: Descriptor, source: Buffer | Readable, session: { location: URL }, chunkBytes: number, opts: CallOptions): Promise<void> {
  let offset = 0;
  for await (const chunk of chunksOf(source, chunkBytes)) {
    session.location = await step(repo, (budget) => putChunk(repo, desc, chunk, chunkBytes, session.location, offset, budget, opts));
    offset += chunk.byteLength;
  }
  const { location } = session;
  await step(repo, async (budget) => {
    const res = await repo.host.send({
      method: 'PUT', url: withQuery(location, 'digest', desc.digest), scopes: repo.scopes, lane: 'upload', signal: opts.signal, priority: opts.priority, again: opts.again,
      headers: { 'content-length': '0' }, body: Buffer.alloc(0), budget,
    });
    await expectStatus('PUT', res, 201, 204);
    discard(res.body, header(res, 'content-length'));
  });
}

/**
 * PATCHes one chunk at `offset` of an upload in chunks of `partBytes` (chunk-send.ts: a lost
 * answer asks the session); returns where the next one goes.
 */
async function putChunk(repo: RepoContext, desc: Descriptor, chunk: Buffer, partBytes: number, location: URL, offset: number, budget: RetryBudget, opts: CallOptions): Promise<URL> {
  try {
    return await sendChunk(repo, location, chunk, offset, budget, opts);
  } catch (e) {
    if (!(e instanceof RegistryResponseError) || e.status >= 500 || e.status === 429 || e.status === 408) throw e;
    const last = offset + chunk.byteLength >= desc.size;
    if (refusesPatch(e)) throw adapt(repo, e, () => repo.host.uploads.refusedPatch(e.status, desc.size));
    if (e.status !== 413 && e.status !== 416 && e.status !== 400) throw e;
    // A blob's short last part refused, not as too large, after parts before it: ECR refuses the
    // part that follows one under its 5 MiB minimum, so the size of those parts is what it refused
    // (read as the last part's own, which cannot grow, it failed the blob: 'no other chunk size').
    const earlier = last && offset > 0 && e.status !== 413 && chunk.byteLength < partBytes;
    throw adapt(repo, e, () => (earlier ? repo.host.uploads.refusedChunk(partBytes, e.status, false) : repo.host.uploads.refusedChunk(chunk.byteLength, e.status, last)));
  }
}
