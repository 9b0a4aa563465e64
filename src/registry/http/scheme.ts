// Where requests for a registry host really go (SPEC "mirrors.yaml": loopback is plain HTTP,
// like go-containerregistry's transport/schemer.go; `endpoint` and --endpoint move the base URL).
import type { RegistrySettings } from '../../config/model.js';
import { UsageError } from '../../types/errors.js';
import { apiHostOf, isLoopback, urlBracketHint } from '../../types/host.js';

export { hostnameOf, isLoopback } from '../../types/host.js';

/**
 * Base URL (no trailing slash) for `host`. An override or settings.endpoint wins as written;
 * otherwise http when tls is `disabled` (the loopback default), https else, at the host that
 * serves the API (docker.io's is registry-1.docker.io).
 */
export function baseUrlFor(host: string, settings?: RegistrySettings, endpointOverride?: string): URL {
  const endpoint = endpointOverride ?? settings?.endpoint;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`endpoint for ${host} is not a URL: "${endpoint}"${urlBracketHint(endpoint)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`endpoint for ${host} must be http(s): "${endpoint}"`);
    url.pathname = url.pathname.replace(/\/+$/, '');
    url.search = '';
    url.hash = '';
    return url;
  }
  // Settings from mirrors.yaml already hold the loopback default (config/registries.ts), so an
  // explicit `tls: verify` or a caFile on 127.0.0.1 means HTTPS; a host not listed there is plain
  // HTTP only when it is loopback.
  const plain = settings ? settings.tls === 'disabled' : isLoopback(host);
  return new URL(`${plain ? 'http' : 'https'}://${apiHostOf(host)}`);
}

/** `base` + `/v2/` + `rest` (which may carry a query), keeping an endpoint's path prefix. */
export function apiUrl(base: URL, rest: string): URL {
  // One parse of the whole string: the same percent-encoding as setting pathname and search.
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/v2/${rest}`);
}
