// A forward proxy or a registry that carried connections this run and then refuses or drops new
// ones on arrival (ECONNREFUSED, ECONNRESET) is restarting or failing over: squid, or distribution
// under a rolling restart, stops listening for the seconds a restart takes. The retry layer's
// backoff (about 2 s in all; crane does not retry a refused connection, skopeo's --retry-times 3
// waits 7 s) gave up within them, and every tag in flight failed over a restart a rerun then
// copied. Connections
// to such a peer wait for it to take connections again (one probe per peer, shared by all of
// them), up to PROXY_DOWN_MS, then go once more; a peer that never took one (a wrong port, a
// registry not started), or did not come back in time, fails at once as before, and the retry
// layer and the host's verdicts (tls-errors.ts) take it from there.
// The wait and how it ended are -v lines (sayReturnWaits): a gateway request that lost its deadline
// to such a wait was logged as the backend giving no answer, with nothing naming the proxy.
import { connect } from 'node:net';
import type { buildConnector } from 'undici';
import { PROXY_DOWN_MS } from './tls-errors.js';

/** How often a peer that went away is probed for its return. */
const PROBE_EVERY_MS = 250;

/** Peers (origins) that took a connection since they last went away. */
const carried = new Set<string>();
/** Peers (origins) that took a connection at any time in this process. */
const carriedOnce = new Set<string>();

/** Connection failures of a peer that went away and was not back within the wait (for its line: unreachable.ts). */
const waitedOut = new WeakSet<Error>();

/** Whether `err` failed a connection to a peer that carried earlier ones, was waited for and did not come back. */
export function notBack(err: unknown): boolean {
  return err instanceof Error && waitedOut.has(err);
}

/** Whether `peer` carried a connection of this run: one refused or reset later went down, it was not named wrong. */
export function carriedBefore(peer: URL): boolean {
  return carriedOnce.has(peer.origin);
}
/** The probe under way for each peer that went away: true once it takes connections again. */
const probes = new Map<string, Promise<boolean>>();

/** Wakes every probe under way, which then says the peer is not back: an interrupted run (client.ts interrupt) waits for none. */
const stopping = new Set<() => void>();
export function stopReturnWaits(): void {
  for (const wake of stopping) wake();
}

/** A proxy or registry waited for: `url` is probed, `name` is how lines say it, `via` how its connections go. */
export interface Peer {
  url: URL;
  /** `the proxy http://proxy:3128 (HTTPS_PROXY)`, `127.0.0.1:5000`. */
  name: string;
  via: 'through' | 'to';
}

/** A wait under way for a peer to come back: when it began, how long it may last. */
export interface ReturnWait {
  since: number;
  waitMs: number;
}

// The waits under way, by the peer's name (a registry's is its host:port, as requests name it):
// a run held by one said `no answer from HOST`, where HOST refused connections and was waited for.
const waiting = new Map<string, ReturnWait>();

/** The wait under way for the peer named `name` to take connections again, if any (unanswered.ts). */
export function awaitedReturn(name: string): ReturnWait | undefined {
  return waiting.get(name);
}

// When each peer last came back: requests it held while down count as unanswered from then on.
const returned = new Map<string, number>();

/** When the peer named `name` last took connections again after a wait, if it did (unanswered.ts). */
export function returnedAt(name: string): number | undefined {
  return returned.get(name);
}

/** Told of each wait for a peer and of its end (the clients' -v lines, client.ts). */
const listeners = new Set<(line: string) => void>();
/** Has `say` told of waits for peers until the function returned is called. */
export function sayReturnWaits(say: (line: string) => void): () => void {
  listeners.add(say);
  return () => listeners.delete(say);
}

function tell(line: string): void {
  for (const say of listeners) say(line);
}

/**
 * `connector` (to `peer` or through it) waiting out a restart of a peer that was carrying
 * connections; `gone` tells a connection failure that is the peer going away (refused, reset).
 */
export function awaitingReturn(peer: Peer, connector: buildConnector.connector, gone: (err: Error) => boolean, waitMs = PROXY_DOWN_MS): buildConnector.connector {
  const origin = peer.url.origin;
  return (opts, callback) => connector(opts, (err, socket) => {
    if (!err) {
      carried.add(origin);
      carriedOnce.add(origin);
      callback(null, socket!);
      return;
    }
    if (!gone(err) || !carried.has(origin)) {
      // Believed down since a wait for it ran out: said as that, not as a peer never reached.
      if (gone(err) && carriedOnce.has(origin)) waitedOut.add(err);
      callback(err, null);
      return;
    }
    void back(peer, waitMs).then((up) => {
      if (up) return connector(opts, callback);
      waitedOut.add(err);
      callback(err, null);
    });
  });
}

/** Whether `peer` takes a TCP connection again within `waitMs`; one probe at a time per peer. */
function back(peer: Peer, waitMs: number): Promise<boolean> {
  const origin = peer.url.origin;
  let probe = probes.get(origin);
  if (!probe) {
    const since = Date.now();
    waiting.set(peer.name, { since, waitMs });
    tell(`${peer.name} stopped taking connections after carrying earlier ones: connections ${peer.via} it wait up to ${waitMs / 1000} s for it to come back (a restart)`);
    probe = probeUntil(peer.url, since + waitMs).then((up) => {
      const after = `${((Date.now() - since) / 1000).toFixed(1)} s`;
      tell(up ? `${peer.name} takes connections again after ${after}: the waiting ones go on` : `${peer.name} is not back after ${after}: the waiting connections fail`);
      probes.delete(origin);
      waiting.delete(peer.name);
      if (up) returned.set(peer.name, Date.now());
      // Not back in time: believed down; its connections fail at once until one is taken again.
      if (!up) carried.delete(origin);
      return up;
    });
    probes.set(origin, probe);
  }
  return probe;
}

async function probeUntil(peer: URL, deadline: number): Promise<boolean> {
  const host = peer.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(peer.port || (peer.protocol === 'https:' ? 443 : 80));
  let stopped = false;
  let wake = () => undefined as void;
  const stop = () => {
    stopped = true;
    wake();
  };
  stopping.add(stop);
  try {
    while (!stopped && Date.now() < deadline) {
      if (await takes(host, port)) return !stopped;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, PROBE_EVERY_MS);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    return false;
  } finally {
    stopping.delete(stop);
  }
}

function takes(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_EVERY_MS * 4 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
