// A 307 sends the client to a backend's bytes that the gateway never sees: a corrupted mirror
// there failed every client's digest check, and the gateway went on sending clients to it. So the
// gateway reads each blob it redirected to, once per backend and digest, in the background, and
// reports wrong bytes (WrongBytes then keeps the next clients away). The cost is one extra read of
// each distinct blob per backend for the gateway's lifetime, at most PROVING at a time.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { parseDigest } from '../types/digest.js';
import type { Backend, BackendPool } from './backends.js';

/** Blobs read at once: proofs must not take the gateway's bandwidth from its clients. */
const PROVING = 2;
/** Proofs waiting in line; a redirect beyond that is proven on a later one. */
const WAITING = 1000;

/** Reads redirected blobs back and tells `onWrong` about bytes that do not hash to their digest. */
export class RedirectProofs {
  private readonly proven = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly limit = pLimit(PROVING);

  constructor(
    private readonly pool: BackendPool,
    private readonly onWrong: (backend: Backend, digest: string, actual: string) => void,
    private readonly maxProven = 20_000,
  ) {}

  /** Proves `digest` at `backend` later, unless that was done (or is under way) already. */
  check(backend: Backend, digest: string): void {
    const key = `${backend.host} ${digest}`;
    if (this.proven.has(key) || this.pending.has(key) || this.pending.size >= WAITING) return;
    this.pending.add(key);
    void this.limit(() => this.hashAt(backend, digest))
      .then((actual) => {
        // undefined: not read whole (a break, shutdown); the next redirect tries again.
        if (actual === digest) this.remember(key);
        else if (actual !== undefined) this.onWrong(backend, digest, actual);
      })
      .finally(() => this.pending.delete(key));
  }

  /** The digest of what `backend` serves as `digest`, or undefined when it could not be read whole. */
  private async hashAt(backend: Backend, digest: string): Promise<string | undefined> {
    const deadline = this.pool.deadline();
    try {
      const opened = await backend.repo.openBlob(digest, { signal: deadline.signal });
      deadline.done();
      const algorithm = parseDigest(digest).algorithm;
      const hash = createHash(algorithm);
      for await (const chunk of opened.body) hash.update(chunk as Buffer);
      return `${algorithm}:${hash.digest('hex')}`;
    } catch {
      return undefined;
    } finally {
      deadline.done();
    }
  }

  private remember(key: string): void {
    this.proven.add(key);
    if (this.proven.size > this.maxProven) this.proven.delete(this.proven.values().next().value!);
  }
}
