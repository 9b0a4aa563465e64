// One backend read for the clients that ask for the same streamed blob at once (a release day:
// a CI fleet pulls a new tag cold, and the gateway read a 300 MiB layer from its backend once per
// client). distribution's pull-through proxy and Harbor's proxy cache read once per client while a
// blob is in flight (their in-flight maps only keep the local store from being written twice);
// zot's on-demand sync has later clients wait for the whole image; nginx's proxy_cache_lock waits
// for the cache to be filled. The gateway keeps no blob, so its clients share the read itself:
// each sharer is a stream of every byte from the first, and proves the blob on its own (respond.ts).
// Memory is bounded by a window: the read goes at its fastest sharer's pace and runs at most
// SHARE_WINDOW bytes ahead of its slowest, and a sharer left farther behind goes on with a read of
// its own from the byte it reached. Not back-pressure: one client pausing or on a slow link (the
// gateway has no deadline on a client's reads) would hold every other client's pull. A client
// arrives while the read is within its first SHARE_WINDOW bytes (kept until then) or reads alone.
import type { Readable } from 'node:stream';
import { keepFrom, leftBehind, mayJoin } from './share-window.js';
import { Sharer, type ReadAlone, type SharedBytes } from './sharer.js';

export type { ReadAlone };

/** The reads under way, one per key that a client may still join, each with what its starter said (`T`). */
export class SharedReads<T> {
  private readonly reads = new Map<string, SharedRead<T>>();
  /** Keys whose first client is still asking the backends: the clients after it wait for its answer. */
  private readonly opening = new Map<string, Promise<void>>();

  /**
   * A stream of every byte of the read under way for `key`, with its `T`; or, none being under way,
   * this client opens it (`done()` once its answer is known: the clients arriving meanwhile wait
   * for it, then join its read, or go on alone when it led to none: a redirect, a small blob, a
   * failure). Checked and opened at once: two clients arriving together never both open it.
   */
  async enter(key: string, alone: ReadAlone): Promise<{ body: Readable; said: T } | { done(): void } | undefined> {
    const opening = this.opening.get(key);
    if (opening) {
      await opening;
      return this.joined(key, alone);
    }
    const under = this.joined(key, alone);
    if (under) return under;
    let done!: () => void;
    this.opening.set(key, new Promise<void>((r) => (done = r)));
    return { done: () => (this.opening.delete(key), done()) };
  }

  private joined(key: string, alone: ReadAlone): { body: Readable; said: T } | undefined {
    const read = this.reads.get(key);
    return read?.joinable() ? { body: read.reader(alone), said: read.said } : undefined;
  }

  /** Shares `source` (a whole blob's bytes) under `key`; the starter's own stream of it. */
  start(key: string, said: T, source: Readable, alone: ReadAlone): Readable {
    const read = new SharedRead(said, source, () => this.reads.get(key) === read && this.reads.delete(key));
    this.reads.set(key, read);
    return read.reader(alone);
  }
}

class SharedRead<T> implements SharedBytes {
  /** The bytes kept, from byte `base` on, and how many came (`head`). */
  private chunks: Buffer[] = [];
  private base = 0;
  private head = 0;
  private readonly sharers = new Set<Sharer>();

  constructor(readonly said: T, private readonly source: Readable, private readonly over: () => void) {
    source.pause();
    source.on('data', (chunk: Buffer) => this.came(chunk));
    source.once('end', () => this.ended());
    source.once('error', (e) => {
      this.over();
      for (const s of [...this.sharers]) s.destroy(e);
    });
  }

  joinable(): boolean {
    return mayJoin(this.head, this.sharers.size, this.source.readableEnded || this.source.destroyed);
  }

  reader(alone: ReadAlone): Readable {
    const s = new Sharer(this, alone);
    this.sharers.add(s);
    return s;
  }

  /** Hands `s` what it lacks of the bytes kept; reads on when it is at the head and wants more. */
  feed(s: Sharer): void {
    let at = this.base;
    for (const chunk of this.chunks) {
      const end = at + chunk.length;
      if (end > s.at && !s.give(chunk.subarray(s.at - at))) return;
      at = end;
    }
    if (this.source.readableEnded) s.give(null);
    else this.source.resume();
  }

  /** `s` ended, or its client went: it no longer holds bytes back, and a read nobody shares stops. */
  leave(s: Sharer): void {
    if (this.sharers.delete(s)) this.stopIfNobody();
  }

  private stopIfNobody(): void {
    if (this.sharers.size === 0 && !this.source.readableEnded) {
      this.over();
      this.source.destroy();
    } else this.trim();
  }

  private came(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.head += chunk.length;
    if (!mayJoin(this.head, 1, false)) this.over();
    // The read goes on only while a sharer at the head still wants bytes.
    this.source.pause();
    for (const s of [...this.sharers]) {
      if (leftBehind(this.head, s.at)) {
        this.sharers.delete(s);
        s.goAlone();
      } else if (s.wanting) this.feed(s);
    }
    this.stopIfNobody();
  }

  private ended(): void {
    this.over();
    for (const s of [...this.sharers]) if (s.wanting) this.feed(s);
  }

  /** Lets go of the bytes every sharer has (all kept while a client may still join). */
  private trim(): void {
    const from = keepFrom(this.head, [...this.sharers].map((s) => s.at));
    while (this.chunks.length > 0 && this.base + this.chunks[0]!.length <= from) this.base += this.chunks.shift()!.length;
  }
}
