// Requests sent and not answered yet, per host: what a run that stopped moving waits on. A registry
// hung (SIGSTOP, a stuck front end) or restarting held every request of a sync for 20 s while the
// plain progress lines repeated `synced 9/200 …` without naming it; the line now says which host
// has not answered, and for how long (ui/progress.ts).
import { Readable } from 'node:stream';
import { awaitedReturn, returnedAt, type ReturnWait } from './restart-wait.js';
import { processProxies } from './proxy.js';
import { proxyPeer } from './proxy-peer.js';
import { proxyFor, type ProxyEnv } from './proxy-env.js';

/** A wait under way for a peer that went away; `name` when that peer is not the host itself (a proxy its connections go through). */
export type HostReturnWait = ReturnWait & { name?: string };

/** The proxies `host`'s connections go through (by scheme), by the names restart-wait.ts keeps their waits under. */
function proxyNamesFor(host: string, env: ProxyEnv): string[] {
  const names: string[] = [];
  for (const scheme of ['https:', 'http:']) {
    const route = proxyFor(new URL(`${scheme}//${host}`), env);
    if (route) names.push(proxyPeer(route).name);
  }
  return names;
}

/**
 * The wait under way for `host`, or for the proxy its connections go through: a sync held by a
 * restarting proxy read `no answer from REGISTRY for 3 s` while that registry was never reached.
 */
export function awaitedFor(host: string, env: ProxyEnv = processProxies()): HostReturnWait | undefined {
  const own = awaitedReturn(host);
  if (own) return own;
  for (const name of proxyNamesFor(host, env)) {
    const wait = awaitedReturn(name);
    if (wait) return { ...wait, name };
  }
  return undefined;
}

/**
 * When `host`, or the proxy its connections go through, last took connections again after a wait:
 * requests held meanwhile went unanswered because they could not go out, said as that until then.
 */
export function returnedFor(host: string, env: ProxyEnv = processProxies()): number | undefined {
  const known = [host, ...proxyNamesFor(host, env)].map(returnedAt).filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

/** The requests of one host sent and not answered, by id: when each went out. */
interface HostWait {
  open: Map<number, number>;
  /** When the host last answered anything (headers, or a connection failure: an answer of sorts). */
  lastAnswer: number;
}

/** An answer's body being read: its host, when it last gave bytes, and whether its reader waits on it. */
interface BodyRead {
  host: string;
  last: number;
  starved: () => boolean;
}

export class Unanswered {
  private readonly hosts = new Map<string, HostWait>();
  private readonly bodies = new Map<number, BodyRead>();
  private next = 0;

  /**
   * `restarting`: the wait under way for a host that refuses connections to come back; `returned`:
   * when such a wait last ended with the host back (restart-wait.ts).
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly restarting: (host: string) => HostReturnWait | undefined = (host) => awaitedFor(host),
    private readonly returned: (host: string) => number | undefined = (host) => returnedFor(host),
  ) {}

  /** A request to `host` goes out; the function returned is called once it is answered or failed. */
  begin(host: string): () => void {
    const id = this.next++;
    let wait = this.hosts.get(host);
    if (!wait) this.hosts.set(host, (wait = { open: new Map(), lastAnswer: this.now() }));
    wait.open.set(id, this.now());
    const held = wait;
    return () => {
      held.open.delete(id);
      held.lastAnswer = this.now();
    };
  }

  /**
   * `begin` once the request is all sent: a streamed body (an upload fed by a source read) waits
   * on its source until it ends, and a source restarting mid-read named the target instead.
   */
  sent(host: string, body: unknown): () => void {
    if (!(body instanceof Readable) || body.readableEnded) return this.begin(host);
    let done: (() => void) | undefined;
    let over = false;
    body.once('end', () => {
      if (!over) done = this.begin(host);
    });
    return () => {
      over = true;
      done?.();
    };
  }

  /**
   * An answer's body read from `host`: `chunk` as bytes come, `end` once it ended or failed.
   * `starved` says whether its reader waits on it (nothing buffered, not paused by backpressure),
   * so a download held back by a slow target is not said to be the source's (issuer2 hunt: a blob
   * dripped then stalled for 60 s before its read timed out, and the progress line repeated its
   * figures without a word, its request answered at the headers).
   */
  reading(host: string, starved: () => boolean): { chunk(): void; end(): void } {
    const id = this.next++;
    const read: BodyRead = { host, last: this.now(), starved };
    this.bodies.set(id, read);
    return { chunk: () => { read.last = this.now(); }, end: () => { this.bodies.delete(id); } };
  }

  /**
   * The host that has kept requests unanswered longest, when it answered nothing for `minMs` or
   * more: `no answer from HOST for 18 s (9 requests)`; undefined while every host answers. A host
   * that refuses connections and is waited for is said as that, not as silent:
   * `HOST refuses connections: waiting up to 30 s for it to come back (12 s so far, 9 requests)`,
   * or `the proxy URL (HTTPS_PROXY) refuses connections: … (12 s so far, 9 requests to HOST)`.
   */
  describe(minMs: number): string | undefined {
    const now = this.now();
    let worst: { host: string; since: number; count: number } | undefined;
    for (const [host, wait] of this.hosts) {
      if (wait.open.size === 0) continue;
      // Requests held while the host was down and waited for count from its return: in the moment
      // between its return and its first answer they were said as a registry not answering for the
      // whole outage (a restart's 6 s; HTTP/2 sends them all on the first connection made).
      const since = Math.max(Math.min(...wait.open.values()), wait.lastAnswer, this.returned(host) ?? 0);
      if (now - since < minMs || (worst && worst.since <= since)) continue;
      worst = { host, since, count: wait.open.size };
    }
    if (!worst) return this.stalledBody(now, minMs);
    const requests = worst.count === 1 ? '1 request' : `${worst.count} requests`;
    const wait = this.restarting(worst.host);
    if (wait) return `${wait.name ?? worst.host} refuses connections: waiting up to ${Math.round(wait.waitMs / 1000)} s for it to come back (${Math.round((now - wait.since) / 1000)} s so far, ${requests}${wait.name ? ` to ${worst.host}` : ''})`;
    return `no answer from ${worst.host} for ${Math.round((now - worst.since) / 1000)} s (${requests})`;
  }

  /** `no bytes from HOST for 25 s (1 download stalled mid-body)`: the host whose body a reader waits on longest, or undefined. */
  private stalledBody(now: number, minMs: number): string | undefined {
    let worst: BodyRead | undefined;
    let count = 0;
    for (const read of this.bodies.values()) {
      if (now - read.last < minMs || !read.starved()) continue;
      if (!worst || read.last < worst.last) worst = read;
    }
    if (!worst) return undefined;
    for (const read of this.bodies.values()) if (read.host === worst.host && now - read.last >= minMs && read.starved()) count++;
    return `no bytes from ${worst.host} for ${Math.round((now - worst.last) / 1000)} s (${count === 1 ? '1 download' : `${count} downloads`} stalled mid-body)`;
  }
}

/**
 * Hears `raw` (undici's body) for `unanswered`: each piece, and its end or failure. Its reader waits
 * on it while nothing is buffered in `read` (the stream handed on) and backpressure has not paused it.
 */
export function watchBody(unanswered: Unanswered, host: string, raw: Readable, read: Readable): void {
  const watch = unanswered.reading(host, () => read.readableLength === 0 && !raw.isPaused());
  raw.on('data', watch.chunk).once('close', watch.end);
}
