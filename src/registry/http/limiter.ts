// Per-registry concurrency, in three lanes (regclient's rule: small requests never wait behind
// blob transfers). Each lane allows `concurrency` requests in flight:
//  - small:    HEAD, manifests, tag lists, upload starts, mounts, token-free pings;
//  - download: blob GETs, held until the body has been read or destroyed;
//  - upload:   blob PUT/PATCH with a body.
// Downloads and uploads are separate so that copying inside one registry (a download feeding
// an upload) can never deadlock with every slot held by downloads waiting for uploads.
import pLimit, { type LimitFunction } from 'p-limit';
import { AbortedError } from '../../types/errors.js';
import type { Lane } from './types.js';

/** The three queues of one registry host. */
export class Lanes {
  private readonly limits: Record<Lane, LimitFunction>;

  constructor(readonly concurrency: number) {
    this.limits = { small: pLimit(concurrency), download: pLimit(concurrency), upload: pLimit(concurrency) };
  }

  /** Waits for a slot in `lane`; the returned function frees it (idempotent). */
  acquire(lane: Lane, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedError('aborted'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        settled = true;
        reject(new AbortedError('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.limits[lane](
        () =>
          new Promise<void>((release) => {
            signal?.removeEventListener('abort', onAbort);
            // Aborted while queued: give the slot straight back.
            if (settled) return release();
            settled = true;
            let freed = false;
            resolve(() => {
              if (!freed) (freed = true), release();
            });
          }),
      );
    });
  }
}
