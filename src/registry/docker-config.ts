// Docker's client config (`config.json`) and podman/skopeo's `auth.json`: where they are and how
// a registry host is found in them, the way the docker CLI matches server addresses.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from '../ui/redact.js';
import type { Credential } from './credentials.js';
import { DOCKER_HUB, DOCKER_HUB_API, hostnameOf } from '../types/host.js';

/** One `auths` entry. */
export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** The parts of config.json / auth.json we read. */
export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub's legacy server address, which helpers and `auths` use for docker.io. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API, 'registry.hub.docker.com']);

/**
 * Config files in the SPEC's order: $DOCKER_CONFIG/config.json or ~/.docker/config.json, then
 * $REGISTRY_AUTH_FILE, or where it names none the files `podman login` writes, which skopeo reads
 * there (containers-auth.json(5)): a podman user's login was anonymous here, where skopeo's was not.
 */
export function dockerConfigPaths(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const paths = [env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker', 'config.json')];
  if (env.REGISTRY_AUTH_FILE) return [...paths, env.REGISTRY_AUTH_FILE];
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  return [...paths, join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json')];
}

/**
 * Reads a config file; a missing or unreadable one is simply absent. One that is not JSON (a comma
 * left after its last entry by hand) is told to `onProblem`: silently absent, its login read as
 * none, and the line said to `docker login` where the user had (newuser2 hunt).
 */
export async function readDockerConfig(path: string, onProblem?: (message: string) => void): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as DockerConfigFile) : undefined;
  } catch (e) {
    onProblem?.(`${path} is not valid JSON (${(e as Error).message}): no credentials are read from it (auths, credHelpers, credsStore); fix it, or log in again (docker login writes it anew)`);
    return undefined;
  }
}

/** `https://quay.io/v1/`, `quay.io`, `http://quay.io` → `quay.io`; Docker Hub's names → `docker.io`. */
export function normalizeServer(address: string): string {
  const host = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]!.toLowerCase();
  return HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/**
 * The namespace or repository an `auths` key names (`quay.io/jetstack`: namespaced-auths.ts), or
 * undefined for a key naming a whole host.
 */
export function keyNamespace(key: string): { server: string; path: string } | undefined {
  // A scheme marks docker's legacy URL keys (`https://index.docker.io/v1/`): a host, whatever its path.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) return undefined;
  const slash = key.indexOf('/');
  const path = slash < 0 ? '' : key.slice(slash + 1).replace(/\/+$/, '');
  return path ? { server: normalizeServer(key.slice(0, slash)), path } : undefined;
}

/** The server URL a credential helper is asked about for `host`. */
export function helperServerUrl(host: string): string {
  return normalizeServer(host) === DOCKER_HUB ? DOCKER_HUB_SERVER : host;
}

/** The helper name configured for `host` in `credHelpers`, matching keys as docker does. */
export function helperFor(config: DockerConfigFile, host: string): string | undefined {
  const want = normalizeServer(host);
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) if (normalizeServer(key) === want && helper) return helper;
  return undefined;
}

/**
 * The credential stored inline in `auths` for `host`, if any. An entry for it whose `auth` does not
 * decode to user:password (not base64, or no colon) is told to `onUnusable` by its key, never its value.
 * A key naming a namespace is no login for the whole host (namespaced-auths.ts).
 */
export function authsCredential(config: DockerConfigFile, host: string, onUnusable?: (key: string) => void): Credential | undefined {
  const want = normalizeServer(host);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normalizeServer(key) !== want || !entry || keyNamespace(key)) continue;
    const credential = entryCredential(entry);
    if (credential) return credential;
    if (entry.auth) onUnusable?.(key);
  }
  return undefined;
}

/**
 * The `auths` key for `host` whose entry holds no secret, if any: Docker Desktop's login, `{}`, whose
 * secret is in its credsStore helper.
 */
export function secretlessEntry(config: DockerConfigFile, host: string): string | undefined {
  const want = normalizeServer(host);
  return Object.entries(config.auths ?? {}).find(([key, e]) => normalizeServer(key) === want && !keyNamespace(key)
    && !e?.auth && !e?.identitytoken && !e?.registrytoken && !e?.password)?.[0];
}

/**
 * Keys of `auths` and `credHelpers` that name `host`'s machine at another port, or without one
 * (`127.0.0.1` for `127.0.0.1:30507`): rightly unused, as docker and skopeo match the port too, but
 * a refusal of anonymous access said nothing of them, where users had logged in to that key.
 */
export function nearMisses(config: DockerConfigFile, host: string): string[] {
  const want = normalizeServer(host);
  const machine = hostnameOf(want);
  return [...Object.keys(config.auths ?? {}).filter((key) => !keyNamespace(key)), ...Object.keys(config.credHelpers ?? {})].filter((key) => {
    const server = normalizeServer(key);
    return server !== want && hostnameOf(server) === machine;
  });
}

/** The credential one `auths` entry holds, if it holds a usable one (its secrets registered for redaction). */
export function entryCredential(entry: DockerAuthEntry): Credential | undefined {
  if (entry.identitytoken) {
    registerSecret(entry.identitytoken);
    return { identityToken: entry.identitytoken };
  }
  if (entry.registrytoken) {
    registerSecret(entry.registrytoken);
    return { registryToken: entry.registrytoken };
  }
  let { username, password } = entry;
  if (entry.auth) {
    registerSecret(entry.auth);
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  if (!username || password === undefined) return undefined;
  registerSecret(password);
  return { username, password };
}
