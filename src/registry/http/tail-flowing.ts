// undici 7's HTTP/1.1 parser cannot see its connection end while it is paused: a server that
// closes the connection after its answer (`Connection: close`: nginx's keepalive_requests, object
// stores) just as the reader's backpressure had paused the parser on that answer's last bytes
// makes undici throw `assert(!this.paused)` from a socket event handler, where nothing can catch
// it, and the process ends (fixed in undici 8 only, which needs Node 22: nodejs/undici#5389,
// #5474). Through undici's public API the way out is to never let backpressure reach the parser
// near an answer's end: a large answer is read through the stream below, which passes the
// reader's backpressure on only while more than TAIL_FLOWING bytes are still to come, and keeps
// the rest flowing, buffered here (test/integration/registry/connection-close.test.ts).
// Over HTTP/2 undici 7 completes an answer on its trailers and drops the DATA its paused stream
// still held: the blob ended short, and the stream, never ended, kept its connection busy for
// good (the run hung closing its pools). An answer that may come over HTTP/2 keeps flowing over
// its last stream window more, so no DATA can be held back when the trailers come
// (test/integration/registry/h2-trailers.test.ts).
import { Readable } from 'node:stream';
import { prematureClose } from './body.js';

/** undici's body buffer (its default highWaterMark): an answer no longer than this never pauses the parser. */
const UNDICI_BODY_BUFFER = 64 * 1024;

/**
 * How many bytes before an answer's end backpressure stops reaching undici. Once paused, the
 * parser takes what the socket buffered meanwhile in one go when it resumes (up to ~128 KiB, which
 * may pause it again), so the last pause must come well before the end; at most this much more is
 * held in memory for a reader that is behind.
 */
export const TAIL_FLOWING = 1024 * 1024;

/**
 * `body` to read, guarded as above when its answer says a `length` undici's buffer cannot hold;
 * `h2Window`: the HTTP/2 stream window, when the answer may have come over HTTP/2.
 */
export function tailFlowing(body: Readable, length: number | undefined, h2Window = 0): Readable {
  return length !== undefined && length > UNDICI_BODY_BUFFER ? new TailFlowing(body, length, TAIL_FLOWING + h2Window) : body;
}

class TailFlowing extends Readable {
  private remaining: number;

  constructor(private readonly body: Readable, length: number, tail: number) {
    super();
    this.remaining = length;
    body.on('data', (chunk: Buffer) => {
      this.remaining -= chunk.length;
      if (!this.push(chunk) && this.remaining > tail) body.pause();
    });
    body.once('end', () => this.push(null));
    body.once('error', (e) => this.destroy(e));
    // Destroyed under us without an error: what reads it must not wait for an end.
    body.once('close', () => {
      if (!body.readableEnded && !this.destroyed) this.destroy(prematureClose());
    });
  }

  override _read(): void {
    this.body.resume();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.body.destroy();
    done(err);
  }
}
