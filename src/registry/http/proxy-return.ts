// A forward proxy that carried connections this run and then refuses or drops new ones on arrival
// (ECONNREFUSED, ECONNRESET) is restarting or failing over: squid stops listening for the seconds
// a restart takes. The retry layer's backoff (a few seconds in all) gave up within them, and every
// tag of a sync failed over a restart. Connections to such a proxy wait for it to take connections
// again (one probe per proxy, shared by all of them), up to PROXY_DOWN_MS, then go once more; a
// proxy that never took one (a wrong port in HTTPS_PROXY), or did not come back in time, fails at
// once as before, and the retry layer and the host's verdicts (tls-errors.ts) take it from there.
// The wait and how it ended are -v lines (sayProxyWaits): a gateway request that lost its deadline
// to such a wait was logged as the backend giving no answer, with nothing naming the proxy.
import { connect } from 'node:net';
import type { buildConnector } from 'undici';
import { ProxyError } from '../../types/errors.js';
import { proxyName, type ProxyRoute } from './proxy-env.js';
import { PROXY_DOWN_MS } from './tls-errors.js';

/** How often a proxy that went away is probed for its return. */
const PROBE_EVERY_MS = 250;

/** Proxies (origins) that took a connection since they last went away. */
const carried = new Set<string>();
/** Proxies (origins) that took a connection at any time in this process. */
const carriedOnce = new Set<string>();

/** Whether `proxy` carried a connection of this run: one refused or reset later went down, it was not named wrong. */
export function carriedBefore(proxy: URL): boolean {
  return carriedOnce.has(proxy.origin);
}
/** The probe under way for each proxy that went away: true once it takes connections again. */
const probes = new Map<string, Promise<boolean>>();

/** Wakes every probe under way, which then says the proxy is not back: an interrupted run (client.ts interrupt) waits for none. */
const stopping = new Set<() => void>();
export function stopProxyWaits(): void {
  for (const wake of stopping) wake();
}

/** Told of each wait for a proxy and of its end (the clients' -v lines, client.ts). */
const listeners = new Set<(line: string) => void>();
/** Has `say` told of waits for proxies until the function returned is called. */
export function sayProxyWaits(say: (line: string) => void): () => void {
  listeners.add(say);
  return () => listeners.delete(say);
}

/** `connector` (to the route's proxy or through it) waiting out a restart of a proxy that was carrying connections. */
export function awaitingReturn(route: ProxyRoute, connector: buildConnector.connector, waitMs = PROXY_DOWN_MS): buildConnector.connector {
  const proxy = route.proxy;
  return (opts, callback) => connector(opts, (err, socket) => {
    if (!err) {
      carried.add(proxy.origin);
      carriedOnce.add(proxy.origin);
      callback(null, socket!);
      return;
    }
    if (!(err instanceof ProxyError && err.passing && err.status === undefined) || !carried.has(proxy.origin)) {
      callback(err, null);
      return;
    }
    void back(route, waitMs).then((up) => (up ? connector(opts, callback) : callback(err, null)));
  });
}

/** Whether `proxy` takes a TCP connection again within `waitMs`; one probe at a time per proxy. */
function back(route: ProxyRoute, waitMs: number): Promise<boolean> {
  const proxy = route.proxy;
  let probe = probes.get(proxy.origin);
  if (!probe) {
    const [name, since] = [proxyName(route), Date.now()];
    tell(`the proxy ${name} stopped taking connections after carrying earlier ones: connections through it wait up to ${waitMs / 1000} s for it to come back (a restart)`);
    probe = probeUntil(proxy, Date.now() + waitMs).then((up) => {
      const after = `${((Date.now() - since) / 1000).toFixed(1)} s`;
      tell(up ? `the proxy ${name} takes connections again after ${after}: the waiting ones go on` : `the proxy ${name} is not back after ${after}: the waiting connections fail`);
      probes.delete(proxy.origin);
      // Not back in time: believed down; its connections fail at once until one is taken again.
      if (!up) carried.delete(proxy.origin);
      return up;
    });
    probes.set(proxy.origin, probe);
  }
  return probe;
}

function tell(line: string): void {
  for (const say of listeners) say(line);
}

async function probeUntil(proxy: URL, deadline: number): Promise<boolean> {
  const host = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
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
