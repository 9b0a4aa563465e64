// The gateway's end after SIGTERM, in the order Kubernetes needs: the pod's endpoints are still
// being removed from Services and load balancers when SIGTERM arrives, and new connections keep
// coming for a few seconds. The gateway stopped accepting at once, so a pull whose next request
// opened a connection got "connection refused". Now it says it is going (/-/ready 503) and keeps
// serving for gateway.shutdownDelay, each answer closing its connection so that the client's next
// one goes where the load balancer now sends it; then the listener closes and the requests in
// flight have GRACE_MS to finish (as distribution's http.draintimeout, nginx's graceful stop).
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../ui/log.js';
import type { Gateway } from './gateway.js';

/** How long requests in flight once the listener closed may take to finish (examples/kubernetes gives the pod 40 s). */
export const GRACE_MS = 30_000;

/** What ends the gateway: the signal's name for the log, the delay before the listener closes, and how to stop backend calls. */
export interface Stopping {
  by: string;
  delayMs: number;
  logger: Logger;
  stopBackends(): void;
}

/** Resolves once the listener is closed and every connection has ended (cut off after GRACE_MS). */
export async function stopServing(server: Server, gw: Gateway, inFlight: Set<Promise<void>>, how: Stopping): Promise<void> {
  const { logger } = how;
  if (how.delayMs > 0) {
    gw.draining = true;
    logger.info(`${how.by}: /-/ready answers 503 now; new requests are still served for ${how.delayMs / 1000} s (gateway.shutdownDelay) while load balancers stop sending them`);
    await sleep(how.delayMs);
  }
  const n = inFlight.size;
  logger.info(`${how.delayMs > 0 ? '' : `${how.by}: `}no new connections; finishing the ${n} request${n === 1 ? '' : 's'} in flight (up to ${GRACE_MS / 1000} s)`);
  // Idle keep-alive sockets close now, busy ones after their request.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => {
    // The log ended at "finishing the requests in flight" and the process exited 0, where the
    // downloads still going were cut short (gateway5 hunt: two clients reading a 300 MiB layer at
    // 4 MiB/s at SIGTERM): their clients saw a broken transfer and the events a 502, nothing why.
    const left = inFlight.size;
    logger.warn(`${left} request${left === 1 ? '' : 's'} still in flight ${GRACE_MS / 1000} s after the gateway stopped accepting: cut off now`);
    gw.cuttingOff = true;
    how.stopBackends();
    server.closeAllConnections();
  }, GRACE_MS);
  await closed;
  clearTimeout(grace);
}
