// A GET whose answer was spoiled on the way (a body cut short, a proxy's page sent as 200, bytes
// that do not match their digest) is asked for again within the registry's retry budget: the
// request layer retries what fails before an answer, this what fails while reading it.
import type { CallOptions } from '../content/storage.js';
import { RegmirrorError } from '../types/errors.js';
import { endedGracefully } from './http/goaway.js';
import { backoff, isTransientNetworkError, newBudget, pause, triedRead } from './http/retry.js';
import { unreachable } from './http/unreachable.js';
import { displayUrl, type RetryBudget } from './http/types.js';
import type { RepoContext } from './repo-context.js';

/**
 * `read(budget)` (one request, its whole body) until it returns; again after a cut body or an
 * error `spoiled` names, while the budget shared with its requests lasts. A body cut every time
 * ends as the registry's unreachable line, anything else as it was thrown.
 */
export async function readAgainWhenSpoiled<T>(repo: RepoContext, url: URL, opts: CallOptions, spoiled: (e: unknown) => boolean, read: (budget: RetryBudget) => Promise<T>): Promise<T> {
  const budget = newBudget(repo.host.retry);
  for (let retry = 1; ; retry++) {
    try {
      return await read(budget);
    } catch (e) {
      // A body cut short arrives as a raw undici error; request-level failures are already kinds.
      const bodyCut = !(e instanceof RegmirrorError) && isTransientNetworkError(e);
      if (!spoiled(e) && !bodyCut) throw e;
      // Already said by the retry layer when a failed answer spent the budget; a spoiled one says it here.
      if (budget.remaining <= 0) throw triedRead(bodyCut ? unreachable(repo.host.host, { method: 'GET', url, scopes: [] }, e) : (e as Error), 'GET', budget);
      if (bodyCut && endedGracefully(e)) {
        repo.host.options.logger.debug(`${url.host}: its HTTP/2 connection ended (GOAWAY NO_ERROR) while the answer to GET ${displayUrl(url)} was read; asked again`);
        continue;
      }
      repo.host.options.stats.retries++;
      await pause(backoff(repo.host.retry, retry), opts.signal);
    }
  }
}
