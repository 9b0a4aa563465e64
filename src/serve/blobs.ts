// Blobs through the gateway: a 307 to a URL that needs no credentials (the backend itself when it
// serves blobs to anyone, or the signed object-storage URL it redirected us to); otherwise the
// gateway streams the bytes itself, proving them against the digest as they pass.
import { pipeline } from 'node:stream/promises';
import { resumable } from '../registry/blob-resume.js';
import { contentLength, type HttpResponse } from '../registry/http/types.js';
import { VerifyingStream } from '../types/digest.js';
import { DigestMismatchError, RegmirrorError } from '../types/errors.js';
import type { AnonymousMemory } from './anonymous.js';
import { absentEverywhere, type Backend, type BackendPool } from './backends.js';

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
  let current = senders[0]!;
  const body = resumable(res.body, {
    size: length,
    length,
    maxResumes: STREAM_RESUMES,
    onResume: (_offset, why) => pool.failed(current.host, why),
    reopen: async (offset) => {
      const others = [...backends.filter((b) => b !== current), current];
      const next = await pool.first(others, (b, signal) => b.repo.openBlobAt(digest, offset, length, { signal }), skip);
      if (!next.ok) throw next.errors.at(-1) ?? new NoBlob(503);
      current = next.backend;
      if (!senders.includes(current)) senders.push(current);
      return next.value;
    },
  });
  return { ...res, body };
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
