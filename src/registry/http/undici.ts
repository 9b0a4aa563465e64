// The one module that hands undici to the client, through undici's public API only (a minor
// release may move anything under undici/lib/). Its index costs ~50 ms more to load than the two
// files the client uses; that start-up time is won back elsewhere (semver's per-function modules,
// and the whole HTTP stack loads only for commands that touch the network: cli/commands/*.ts).
import { Agent, errors, type Dispatcher } from 'undici';

/** undici's Agent: one keep-alive Pool (or HTTP/2 session) per origin. */
export { Agent, errors };

/** What one request needs besides its URL. */
export type RequestOptions = Pick<Dispatcher.RequestOptions, 'method' | 'headers' | 'body' | 'signal' | 'reset' | 'headersTimeout' | 'idempotent' | 'blocking'> & { dispatcher: Dispatcher };

/**
 * `url` on an explicit dispatcher, through Dispatcher.request: undici's top-level request() would
 * parse the URL again and copy the options for every call, a cost paid thousands of times a run.
 */
export function request(url: URL, { dispatcher, method, headers, body, signal, reset, headersTimeout, idempotent, blocking }: RequestOptions): Promise<Dispatcher.ResponseData<unknown>> {
  return dispatcher.request({ origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname, method, headers, body, signal, reset, headersTimeout, idempotent, blocking });
}
