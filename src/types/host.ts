// Registry host names: what counts as loopback (plain HTTP by default, like go-containerregistry).
import { isIP } from 'node:net';

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

/** Docker Hub's name in image references, and the host that serves its registry API. */
export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';

/**
 * The host that serves the registry API for a registry name: Docker Hub's images are named
 * docker.io, but its API answers at registry-1.docker.io (containers/image and regclient map it
 * the same way); every other registry serves the API under its own name.
 */
export function apiHostOf(host: string): string {
  return host.toLowerCase() === DOCKER_HUB ? DOCKER_HUB_API : host;
}

/**
 * `[::1]:5000` for an IPv6 host written without brackets (`::1:5000`, as one types after curl or
 * `ss`), `[fe80::1]` for a bare address; undefined for anything else. An address whose last group
 * is all digits is read as address and port, the likelier meaning of `::1:5000`.
 */
export function bracketedIpv6(host: string): string | undefined {
  if (host.startsWith('[') || host.split(':').length < 3) return undefined;
  const m = /^(.+):(\d{1,5})$/.exec(host);
  if (m && isIP(m[1]!) === 6) return `[${m[1]}]:${m[2]}`;
  return isIP(host) === 6 ? `[${host}]` : undefined;
}

/** `; write an IPv6 address in brackets: "…"` (the text with `host` bracketed), or '' when `host` is not one. */
export function bracketHint(host: string, text = host): string {
  const fixed = bracketedIpv6(host);
  return fixed ? `; write an IPv6 address in brackets: "${text.replace(host, fixed)}"` : '';
}

/** bracketHint for a URL's text that `new URL` refused: its authority (`https://::1:5000/`) bracketed. */
export function urlBracketHint(text: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '';
  return bracketHint(authority, text);
}

/** A listen address `host:port` (`[::1]:8080`; an empty host is every address), or undefined when it is none. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}
