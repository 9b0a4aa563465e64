// Where requests for a registry host really go (SPEC "mirrors.yaml": loopback is plain HTTP,
// like go-containerregistry's transport/schemer.go; `endpoint` and --endpoint move the base URL).
import { isIP } from 'node:net';
import type { RegistrySettings } from '../../config/model.js';
import { UsageError } from '../../types/errors.js';

/** The hostname of `host[:port]` without brackets (`[::1]:5000` → `::1`). */
export function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** localhost, 127.0.0.0/8 and ::1: test and dev registries that speak plain HTTP by default. */
export function isLoopback(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/**
 * Base URL (no trailing slash) for `host`. An override or settings.endpoint wins as written;
 * loopback hosts use http unless tls is `insecure`; other hosts https unless tls is `disabled`.
 */
export function baseUrlFor(host: string, settings?: RegistrySettings, endpointOverride?: string): URL {
  const endpoint = endpointOverride ?? settings?.endpoint;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`endpoint for ${host} is not a URL: "${endpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`endpoint for ${host} must be http(s): "${endpoint}"`);
    url.pathname = url.pathname.replace(/\/+$/, '');
    url.search = '';
    url.hash = '';
    return url;
  }
  const tls = settings?.tls;
  const plain = tls === 'disabled' || (isLoopback(host) && tls !== 'insecure');
  return new URL(`${plain ? 'http' : 'https'}://${host}`);
}

/** `base` + `/v2/` + `rest` (which may carry a query), keeping an endpoint's path prefix. */
export function apiUrl(base: URL, rest: string): URL {
  const url = new URL(base.href);
  const q = rest.indexOf('?');
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/v2/${q < 0 ? rest : rest.slice(0, q)}`;
  url.search = q < 0 ? '' : rest.slice(q);
  return url;
}
