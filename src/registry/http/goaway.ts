// What a host does when an HTTP/2 session ends under its requests (GOAWAY). A front end ends a
// connection after so many streams (nginx: keepalive_requests, 1000 by default) with a graceful
// GOAWAY (NO_ERROR) that lets the streams it took finish, but undici 7 fails every stream in
// flight on any GOAWAY, answered or not. That is the normal end of a connection: such a request
// is sent again on a new one, no retry. Only where a session ends, on average, before it answered
// two streams (each session counted once, however many of its streams were in flight:
// pipelining.ts; nginx's keepalive_requests 1, where every attempt died and a run that skopeo
// would finish failed; a session that carries 8 streams at once, ended after 10, answers 2 to 10)
// its requests go over HTTP/1.1 from then on, as at once after a GOAWAY with an error code (nginx's
// ENHANCE_YOUR_CALM for headers over large_client_header_buffers, where HTTP/1.1 gets its 400 page).
// A host whose HTTP/2 broke the protocol before it answered anything (HAProxy with tune.bufsize
// under 16384 closes every HTTP/2 connection at once, where its HTTP/1.1 and skopeo pass) goes
// over HTTP/1.1 at once, that request sent again there.
import { errors } from './undici.js';
import { failureCode } from './unreachable.js';

/**
 * After a failure: send again over HTTP/2 (on a fresh pool: `resend`; as it was: `refused`), or
 * over HTTP/1.1 now, move the host to HTTP/1.1 (and let retries decide), or nothing of GOAWAY's.
 */
export type GoawayStep = 'resend' | 'refused' | 'h1-resend' | 'h1' | undefined;

export class GoawayCounter {
  /** Set once GOAWAYs took too many requests: the host's requests go over HTTP/1.1. */
  h1Only = false;
  private answered = 0;
  private lost = 0;
  private refusals = 0;
  /** The connections GOAWAYs ended, by local address and port: one session carries many streams (pipelining.ts). */
  private readonly ended = new Set<string>();

  /** An answer came over a pool that may speak HTTP/2. */
  answer(): void {
    this.answered++;
  }

  /** What to do after request `e` failed; `replayable`: its body can be sent again. */
  failed(e: unknown, replayable: boolean): GoawayStep {
    // Requests in flight on the broken sessions fail alike after the first: each is sent again.
    if (this.answered === 0 && failureCode(e) === 'ERR_HTTP2_ERROR') {
      const first = !this.h1Only;
      this.h1Only = true;
      return replayable ? 'h1-resend' : first ? 'h1' : undefined;
    }
    // A stream the server refused was not processed (RFC 9113 §8.7): one sent on a session it had
    // just ended, past the GOAWAY's last stream, as streams multiplex (pipelining.ts).
    // Not without end: past 8 refusals more than answers, the retries judge them (a reset like any other).
    if (refusedStream(e)) return replayable && ++this.refusals <= this.answered + 8 ? 'refused' : undefined;
    const code = this.h1Only ? undefined : goawayCode(e);
    if (code === undefined) return undefined;
    // Counted once per session it ended, however many of its streams were in flight.
    const connection = connectionOf(e);
    if (connection === undefined || !this.ended.has(connection)) {
      if (connection !== undefined) this.ended.add(connection);
      this.lost++;
    }
    this.h1Only = this.lost * 2 > this.answered || code !== 0;
    if (this.h1Only) return 'h1';
    return replayable ? 'resend' : undefined;
  }

  /** For -v: how often GOAWAYs took a request, against the answers HTTP/2 gave. */
  describe(): string {
    const times = this.lost === 1 ? 'once' : `${this.lost} times`;
    return `${times} in ${this.answered} ${this.answered === 1 ? 'answer' : 'answers'}`;
  }
}

/** A stream reset with REFUSED_STREAM after its request went out (Node's ERR_HTTP2_STREAM_ERROR names the code). */
function refusedStream(e: unknown): boolean {
  return failureCode(e) === 'ERR_HTTP2_STREAM_ERROR' && /NGHTTP2_REFUSED_STREAM/.test((e as Error).message ?? '');
}

/** The local end of the connection undici failed this request with, when it says (SocketError.socket). */
function connectionOf(e: unknown): string | undefined {
  const socket = e instanceof errors.SocketError ? e.socket : null;
  return socket?.localPort === undefined ? undefined : `${socket.localAddress ?? ''}:${socket.localPort}`;
}

/**
 * Whether a body was cut by its session's graceful end (GOAWAY NO_ERROR): undici 7 fails the
 * streams still being read too, answered or not. Read again at once, and no retry: the normal end
 * of a connection (nginx's keepalive_requests), which a session carrying many streams meets with
 * several answers still arriving (read-again.ts; a blob's bytes resume where they broke, blobs.ts).
 * Each read again still spends an attempt (a resume, one of those in a row).
 */
export function endedGracefully(e: unknown): boolean {
  return goawayCode(e) === 0;
}

/** The error code of the GOAWAY whose session undici failed this request with (0: NO_ERROR), if it was one. */
function goawayCode(e: unknown): number | undefined {
  const code = e instanceof errors.SocketError ? /^HTTP\/2: "GOAWAY" frame received with code (\d+)/.exec(e.message)?.[1] : undefined;
  return code === undefined ? undefined : Number(code);
}
