// undici's Agent and request() without its index module: the index also loads fetch, WebSocket,
// EventSource, caches and mocks, ~100 ms of every run's start-up (a tenth of an audit). These
// two files are what the client uses; the rest of undici stays unloaded.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

/** undici's Agent: one keep-alive Pool per origin. */
export const Agent: typeof Undici.Agent = load('undici/lib/dispatcher/agent.js');
export type Agent = Undici.Agent;

const dispatchRequest: Undici.Dispatcher['request'] = load('undici/lib/api/api-request.js');

/** `request(url, options)` as undici's index exports it, on an explicit dispatcher. */
export function request(url: URL, options: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Undici.Dispatcher }): Promise<Undici.Dispatcher.ResponseData<unknown>> {
  const { dispatcher, ...rest } = options;
  return dispatchRequest.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
