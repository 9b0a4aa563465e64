// Backend probes every healthInterval: per host, a HEAD of a known manifest (through the client,
// so the ping of /v2/ and the token come with it). A 404 still proves the host answers; a live
// error opens its breaker, a success closes it. The first round makes /-/ready say yes. The log
// says when a host goes down (and why) and when it is back. A probe cut at the connection (a reset,
// an HTTP/2 GOAWAY or RST_STREAM, a keep-alive socket the server had just closed) is asked once
// more on a fresh connection first: the gateway's client tries each request once (run.ts), and a
// front end that recycles its connections made a healthy backend say "is down" and "is back".
// Each probe goes over a new connection: one kept open by the probes themselves outlived the
// certificate its handshake checked (expired, or replaced by one nobody trusts), and the gateway
// called the backend healthy while every client it sent there with a 307 failed its own handshake
// (gateway2 hunt). A handshake per host and interval is what it costs.
import { isTransientNetworkError } from '../registry/http/retry.js';
import { TlsError } from '../types/errors.js';
import type { RepositoryRef } from '../types/reference.js';
import { formatDuration } from '../ui/progress-line.js';
import { NoAnswerError, failingOver, isAbsence, oneLine } from './backend-failures.js';
import { FLAPPING_WINDOW_MS, sayBack } from './flapping.js';
import type { Gateway } from './gateway.js';

/** A repository and reference to probe on each backend host. */
export function probeTargets(gw: Gateway): Map<string, { ref: RepositoryRef & { scheme: 'registry' }; reference: string }> {
  const out = new Map<string, { ref: RepositoryRef & { scheme: 'registry' }; reference: string }>();
  for (const image of gw.settings.images) {
    const locked = Object.keys(gw.lock.images[image.item.sourceText] ?? {}).sort().pop();
    for (const ref of image.backends) {
      if (ref.scheme !== 'registry' || out.has(ref.registry)) continue;
      // Without a recorded tag, a tag nobody uses: the 404 still proves the host and its tokens work.
      out.set(ref.registry, { ref, reference: locked ?? 'regmirror-gateway-probe' });
    }
  }
  return out;
}

/** One round of probes, all hosts at once. */
export async function probeOnce(gw: Gateway): Promise<void> {
  await Promise.all([...probeTargets(gw)].map(async ([host, { ref, reference }]) => {
    const [backend] = gw.pool.backends([ref]);
    const deadline = gw.pool.deadline();
    gw.client.reconnect(host);
    try {
      const ask = () => backend!.repo.resolve(reference, { signal: deadline.signal });
      await ask().catch((e: unknown) => {
        if (!isTransientNetworkError(e) || deadline.signal.aborted) throw e;
        return ask();
      });
      up(gw, host);
    } catch (e) {
      // Any other failure, refused credentials included, makes the host unusable for now.
      if (isAbsence(e)) up(gw, host);
      else down(gw, host, deadline.explain(e));
    } finally {
      deadline.done();
    }
  }));
  gw.probed = true;
  gw.health();
}

/**
 * Opens the host's breaker, and says why in the log when the reason is new: refused credentials
 * used to show on the stats page only, while clients got 503s. A refused certificate is already
 * said once by the transport. A flapping host is said flapping instead (flapping.ts).
 */
function down(gw: Gateway, host: string, e: unknown): void {
  const why = oneLine(e);
  gw.pool.breaker(host).failure(gw.now(), why);
  const known = gw.outages.get(host);
  const { outage, news } = gw.flaps.failed(host, known, why, gw.now());
  gw.outages.set(host, outage);
  if (e instanceof TlsError) return;
  const over = failingOver(gw.settings.healthInterval);
  if (news.say === 'down') gw.log?.(`backend ${host} ${e instanceof NoAnswerError ? why : `is down: ${why}`}; ${over}`);
  if (news.say === 'long') gw.log?.(`backend ${host} is down for ${formatDuration((gw.now() - outage.since) / 1000)} now, longer than its short outages: ${why}; ${over}`);
  if (news.say === 'flapping') gw.sayOnceIn10Min(`flapping ${host}`, `backend ${host} is flapping: down ${news.outages} times in the last ${FLAPPING_WINDOW_MS / 60_000} min (now: ${why}); ${over}; its short outages are not logged one by one, /-/stats and regmirror_gateway_backend_healthy show them`);
}

/** Closes the host's breaker; a host the log said was down is said to be back (else the last word was "down"). */
function up(gw: Gateway, host: string): void {
  gw.pool.breaker(host).success();
  const known = gw.outages.get(host);
  if (!known) return;
  gw.outages.delete(host);
  if (sayBack(known, gw.now())) gw.log?.(`backend ${host} is back (down for ${formatDuration((gw.now() - known.since) / 1000)})`);
}

/** Probes now and every `healthInterval` seconds until `signal` ends; returns when stopped. */
export function startProbes(gw: Gateway, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const round = () => {
      void probeOnce(gw).finally(() => {
        if (!signal.aborted) timer = setTimeout(round, gw.settings.healthInterval * 1000);
      });
    };
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
    round();
  });
}
