// `auths` keys that name a namespace or a repository (`quay.io/jetstack`, `quay.io/cert-manager/cmctl`),
// as `podman login quay.io/jetstack` writes them and containers-auth.json(5) reads them in docker's
// config.json too: the most specific key for a repository wins, and such a key is never a login for
// the rest of its host. The mission's own case: one robot account reads quay.io/jetstack, another
// pushes to quay.io/cert-manager; read as one login for all of quay.io, the push went out with the
// first robot's and was refused.
import type { Credential } from './credentials.js';
import { entryCredential, keyNamespace, normalizeServer, type DockerConfigFile } from './docker-config.js';

/**
 * The credential of the most specific `auths` key naming `repository` on `host` or a namespace
 * above it, with that key and how many path segments it names; an entry that holds no usable
 * credential is told to `onUnusable` and passed over.
 */
export function namespacedCredential(
  config: DockerConfigFile,
  host: string,
  repository: string,
  onUnusable?: (key: string) => void,
): { credential: Credential; key: string; depth: number } | undefined {
  const want = normalizeServer(host);
  const matches: { key: string; depth: number }[] = [];
  for (const key of Object.keys(config.auths ?? {})) {
    const named = keyNamespace(key);
    if (named?.server !== want) continue;
    if (repository === named.path || repository.startsWith(`${named.path}/`)) matches.push({ key, depth: named.path.split('/').length });
  }
  for (const { key, depth } of matches.sort((a, b) => b.depth - a.depth)) {
    const entry = config.auths![key];
    const credential = entry ? entryCredential(entry) : undefined;
    if (credential) return { credential, key, depth };
    if (entry?.auth) onUnusable?.(key);
  }
  return undefined;
}
