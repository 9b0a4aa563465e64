// Backend probes every healthInterval: per host, a HEAD of a known manifest (through the client,
// so the ping of /v2/ and the token come with it). A 404 still proves the host answers; a live
// error opens its breaker, a success closes it. The first round makes /-/ready say yes.
import { NotFoundError, TlsError } from '../types/errors.js';
import type { RepositoryRef } from '../types/reference.js';
import { NoAnswerError, oneLine } from './backends.js';
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
    try {
      await backend!.repo.resolve(reference, { signal: deadline.signal });
      gw.pool.breaker(host).success();
    } catch (e) {
      // Any other failure, refused credentials included, makes the host unusable for now.
      if (e instanceof NotFoundError) gw.pool.breaker(host).success();
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
 * said once by the transport.
 */
function down(gw: Gateway, host: string, e: unknown): void {
  const breaker = gw.pool.breaker(host);
  const why = oneLine(e);
  if (why !== breaker.lastError && !(e instanceof TlsError)) gw.log?.(`backend ${host} ${e instanceof NoAnswerError ? why : `is down: ${why}`}`);
  breaker.failure(gw.now(), why);
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
