// Blobs through the gateway: a 307 to a URL that needs no credentials (the backend itself when it
// serves blobs to anyone, or the signed object-storage URL it redirected us to); otherwise the
// gateway streams the bytes itself, proving them against the digest as they pass.
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { resumable, type ResumeOptions } from '../registry/blob-resume.js';
import { contentLength, type HttpResponse } from '../registry/http/types.js';
import { VerifyingStream } from '../types/digest.js';
import { DigestMismatchError, RegmirrorError } from '../types/errors.js';
import type { AnonymousMemory } from './anonymous.js';
import type { SharedReads } from './shared-read.js';
import type { Backend, BackendPool } from './backends.js';
import { absentEverywhere } from './backend-failures.js';

/** Where the client goes, or what the gateway streams. */
export type BlobAnswer =
  /** `from`: the backend whose bytes the client will read (none for a release file's own URL). */
  | { kind: 'redirect'; location: string; backend: string; from?: Backend }
  /** `senders`: every backend whose bytes went into the stream (more than one after a break). */
  | { kind: 'stream'; response: HttpResponse; backend: string; senders?: () => Backend[] };

/** No backend has the blob (404), or none answered (503). */
export class NoBlob extends RegmirrorError {
  constructor(readonly status: 404 | 503) {
    super(status === 404 ? 'blob unknown' : 'no backend answered');
  }
}

/** Finds the blob on the first backend that has it (`skip`: backends known to serve it wrong; `head`: no body wanted). */
export async function serveBlob(pool: BackendPool, backends: Backend[], digest: string, anonymous: AnonymousMemory, skip?: (b: Backend) => boolean, head = false): Promise<BlobAnswer> {
  const result = await pool.first(backends, (b, signal) => anonymous.read(b.host, (tryAnonymous) => b.repo.blobAccess(digest, { signal, tryAnonymous, head }), signal), skip);
  if (!result.ok) {
    throw new NoBlob(absentEverywhere(result.errors) ? 404 : 503);
  }
  const access = result.value;
  const backend = result.backend.host;
  if (access.kind === 'redirect' || access.kind === 'anonymous') return { kind: 'redirect', location: access.url.href, backend, from: result.backend };
  const senders = [result.backend];
  if (head) return { kind: 'stream', response: access.response, backend, senders: () => senders };
  return { kind: 'stream', response: carriedOn(pool, senders, backends, digest, access.response, skip), backend, senders: () => senders };
}

/** Breaks in a row (each with less than a MiB between them) a streamed blob survives. */
const STREAM_RESUMES = 3;

/**
 * The streamed answer, its body carried on when its backend breaks midway (a reset, a registry
 * going down): the rest is asked for with Range from the first healthy backend, the one that broke
 * last, so the client's download goes on instead of ending short (skopeo and podman then fail the
 * whole pull with "unexpected EOF"). The digest is still proven over every byte (respond.ts).
 */
function carriedOn(pool: BackendPool, senders: Backend[], backends: Backend[], digest: string, res: HttpResponse, skip?: (b: Backend) => boolean): HttpResponse {
  const length = contentLength(res);
  if (length === undefined) return res;
  return { ...res, body: carry(pool, senders, backends, digest, res.body, { size: length, length }, skip) };
}

/** `first`, carried on from the next backend when it breaks (`where`: the blob's size, where `first` begins). */
function carry(pool: BackendPool, senders: Backend[], backends: Backend[], digest: string, first: Readable, where: Pick<ResumeOptions, 'size' | 'length' | 'begun'>, skip?: (b: Backend) => boolean): Readable {
  let current = senders[0]!;
  return resumable(first, {
    ...where,
    maxResumes: STREAM_RESUMES,
    onResume: (_offset, why) => pool.failed(current.host, why),
    reopen: async (offset) => {
      const others = [...backends.filter((b) => b !== current), current];
      const next = await pool.first(others, (b, signal) => b.repo.openBlobAt(digest, offset, where.size, { signal }), skip);
      if (!next.ok) throw next.errors.at(-1) ?? new NoBlob(503);
      current = next.backend;
      if (!senders.includes(current)) senders.push(current);
      return next.value;
    },
  });
}

/**
 * The blob's bytes from `at` on, from the first backend that answers, carried on as above: a
 * client left behind by a read it shared (shared-read.ts). `senders` gains the backends read.
 */
export async function readFrom(pool: BackendPool, senders: Backend[], backends: Backend[], digest: string, at: number, size: number, skip?: (b: Backend) => boolean): Promise<Readable> {
  const opened = await pool.first(backends, (b, signal) => b.repo.openBlobAt(digest, at, size, { signal }), skip);
  if (!opened.ok) throw opened.errors.at(-1) ?? new NoBlob(503);
  // The backend read now first (carry's current), named once: one backend's bytes throughout are still its to answer for.
  if (senders.includes(opened.backend)) senders.splice(senders.indexOf(opened.backend), 1);
  senders.unshift(opened.backend);
  const { body, start, length } = opened.value;
  return carry(pool, senders, backends, digest, body, { size, length, begun: { start, at } }, skip);
}

/**
 * Streamed blobs up to this size (configs, signature payloads) are read whole and proven before
 * their 200 goes out: wrong bytes then fail over to the next backend within the request. Streamed
 * as large blobs are, the held last chunk was all of a config, and the client got EOF instead.
 */
export const PROVE_FIRST_MAX = 1024 * 1024;

/** A small streamed answer's length, or undefined when it is streamed as it comes. */
export function provableFirst(a: BlobAnswer): number | undefined {
  const length = a.kind === 'stream' ? contentLength(a.response) : undefined;
  return length !== undefined && length <= PROVE_FIRST_MAX ? length : undefined;
}

/**
 * A large streamed answer (past PROVE_FIRST_MAX, its length known) shared under `key` with the
 * clients that ask for the same blob meanwhile (shared-read.ts); any other answer as it was.
 */
export function sharing(shares: SharedReads<BlobAnswer>, key: string, a: BlobAnswer, pool: BackendPool, backends: Backend[], digest: string, skip?: (b: Backend) => boolean): BlobAnswer {
  const size = a.kind === 'stream' ? contentLength(a.response) : undefined;
  if (a.kind !== 'stream' || size === undefined || size <= PROVE_FIRST_MAX) return a;
  const own = ownRead(a, pool, backends, digest, size, skip);
  return { ...a, response: { ...a.response, body: shares.start(key, a, a.response.body, own.alone) }, senders: own.senders };
}

/**
 * A client's stream of the read under way for `key`, as its starter's answer; or this client opens
 * it (shared-read.ts enter), or goes on alone (undefined).
 */
export async function joinShared(shares: SharedReads<BlobAnswer>, key: string, pool: BackendPool, backends: Backend[], digest: string, skip?: (b: Backend) => boolean): Promise<BlobAnswer | { done(): void } | undefined> {
  let own: ReturnType<typeof ownRead> | undefined;
  const entered = await shares.enter(key, (at) => own!.alone(at));
  if (!entered || 'done' in entered) return entered;
  const a = entered.said;
  // A backend found to serve the blob wrong meanwhile: not joined (its sharers' digest check fails).
  if (a.kind !== 'stream' || (skip && a.senders?.().some(skip))) return void entered.body.destroy();
  own = ownRead(a, pool, backends, digest, contentLength(a.response)!, skip);
  return { ...a, response: { ...a.response, body: entered.body }, senders: own.senders };
}

/** Which backends one sharer's bytes came from: the shared read's, then its own read's if it was left behind. */
function ownRead(a: Extract<BlobAnswer, { kind: 'stream' }>, pool: BackendPool, backends: Backend[], digest: string, size: number, skip?: (b: Backend) => boolean) {
  const shared = a.senders ?? (() => []);
  let mine: Backend[] | undefined;
  return {
    senders: () => mine ?? shared(),
    alone: (at: number) => readFrom(pool, (mine = [...shared()]), backends, digest, at, size, skip),
  };
}

/** The whole body when it hashes to `digest`; else what it hashed to (`wrong`), or `broke` when it ended short. */
export async function readProven(res: HttpResponse, digest: string, length: number): Promise<{ bytes: Buffer } | { wrong: string } | { broke: unknown }> {
  const chunks: Buffer[] = [];
  const verify = new VerifyingStream(digest, length);
  verify.on('data', (chunk: Buffer) => chunks.push(chunk));
  try {
    await pipeline(res.body, verify);
    return { bytes: Buffer.concat(chunks) };
  } catch (e) {
    return e instanceof DigestMismatchError ? { wrong: e.actual } : { broke: e };
  }
}
