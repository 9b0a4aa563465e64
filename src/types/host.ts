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
