// The one module that hands undici to the client, through undici's public API only (a minor
// release may move anything under undici/lib/). Its index costs ~50 ms more to load than the two
// files the client uses; that start-up time is won back elsewhere (semver's per-function modules,
// and the whole HTTP stack loads only for commands that touch the network: cli/commands/*.ts).
import { Agent, errors, request as undiciRequest, type Dispatcher } from 'undici';

/** undici's Agent: one keep-alive Pool (or HTTP/2 session) per origin. */
export { Agent, errors };

/** `request(url, options)` on an explicit dispatcher (undici's own, re-exported for one import site). */
export function request(url: URL, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData<unknown>> {
  return undiciRequest(url, options);
}
