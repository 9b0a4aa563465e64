// Where credentials come from (SPEC "mirrors.yaml"): the registry's env names in mirrors.yaml,
// then Docker's config (credHelpers, credsStore, auths), then anonymous. Looked up once per host,
// and once per repository where a config file holds a login for its namespace (namespaced-auths.ts).
import type { RegistrySettings } from '../config/model.js';
import type { Logger } from '../ui/log.js';
import { registerSecret } from '../ui/redact.js';
import { missingKey, runCredentialHelper } from './credential-helper.js';
import { authsCredential, dockerConfigPaths, helperFor, helperServerUrl, nearMisses, readDockerConfig, secretlessEntry, type DockerConfigFile } from './docker-config.js';
import { namespacedCredential } from './namespaced-auths.js';

/**
 * A username and password, an OAuth refresh (identity) token, or a bearer token sent as is;
 * `from` says where it was found, so a refusal can send the user to the right place to fix it.
 */
export type Credential = ({ username: string; password: string } | { identityToken: string } | { registryToken: string }) & { from?: string };

/**
 * The credential for a registry host (for `repository` there, when given), or undefined for
 * anonymous; `unused`, once a host was looked up and found none: Docker config entries for its
 * machine at another port, said in a refusal.
 */
export type CredentialProvider = ((host: string, repository?: string) => Promise<Credential | undefined>) & { unused?: (host: string) => string | undefined };

/**
 * The SPEC's lookup order as a provider, cached per host for the run. A `tokenEnv` is a bearer
 * token sent as is (docker's `registrytoken`); usernameEnv + passwordEnv are basic credentials.
 */
export function credentialsFor(
  registries: Map<string, RegistrySettings> | undefined,
  opts: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): CredentialProvider {
  const env = opts.env ?? process.env;
  const cache = new Map<string, Promise<Credential | undefined>>();
  const missingSaid = new Set<string>();
  // A config file or entry that cannot be used is said once a run, not once per registry.
  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (!warned.has(message)) opts.logger?.warn(message);
    warned.add(message);
  };
  const unused = new Map<string, string>();
  // Each config file read once a run: a lookup per repository read every file again.
  const files = new Map<string, Promise<DockerConfigFile | undefined>>();
  const configAt = (path: string) => {
    let file = files.get(path);
    if (!file) files.set(path, (file = readDockerConfig(path, (message) => warnOnce(message))));
    return file;
  };
  const provider: CredentialProvider = (host, repository) => {
    const key = repository === undefined ? host : `${host}/${repository}`;
    let found = cache.get(key);
    if (!found) {
      found = repository === undefined ? lookup(host) : lookupRepository(host, repository);
      cache.set(key, found);
    }
    return found;
  };
  provider.unused = (host) => unused.get(host);
  return provider;

  /**
   * mirrors.yaml's credentials for the host come first (SPEC); then the most specific namespaced
   * `auths` key in any config file, so that `podman login quay.io/cert-manager` counts beside a
   * `docker login quay.io` in another file; then the host's login.
   */
  async function lookupRepository(host: string, repository: string): Promise<Credential | undefined> {
    if (!settingsCredential(registries?.get(host), env)) {
      let best: { credential: Credential; key: string; depth: number; path: string } | undefined;
      for (const path of dockerConfigPaths(env)) {
        const config = await configAt(path);
        const found = config && namespacedCredential(config, host, repository, (key) => warnOnce(unusableEntry(key, path, key)));
        if (found && (!best || found.depth > best.depth)) best = { ...found, path };
      }
      if (best) return { ...best.credential, from: `${best.path} (auths[${JSON.stringify(best.key)}])` };
    }
    return provider(host);
  }

  async function lookup(host: string): Promise<Credential | undefined> {
    const fromSettings = settingsCredential(registries?.get(host), env);
    if (fromSettings) return { ...fromSettings, from: `mirrors.yaml's registries.${host}.credentials` };
    const near: string[] = [];
    let kept: string | undefined;
    for (const path of dockerConfigPaths(env)) {
      const config = await configAt(path);
      if (!config) continue;
      const own = helperFor(config, host);
      const helper = own ?? config.credsStore;
      const namedIn = `${own ? `credHelpers["${host}"]` : 'credsStore'} in ${path}`;
      const fromHelper = helper ? await runCredentialHelper(helper, helperServerUrl(host), env, opts.logger, { namedIn, missingSaid }) : undefined;
      if (fromHelper) return { ...fromHelper, from: `docker-credential-${helper}, named in ${path}` };
      const inline = authsCredential(config, host, (key) => warnOnce(unusableEntry(key, path, host)));
      if (inline) return { ...inline, from: `${path} (auths)` };
      // Docker Desktop's login, `{}` in auths, its secret with a helper that is not installed here.
      const placeholder = helper && missingSaid.has(missingKey(helper, namedIn)) ? secretlessEntry(config, host) : undefined;
      if (placeholder) kept ??= `its login in ${path} (auths[${JSON.stringify(placeholder)}], which holds no secret) is kept by docker-credential-${helper}, named as ${namedIn}, which is not installed here: install that helper, or give the credentials as registries.${host}.credentials (a docker login here would hand them to the same missing helper)`;
      near.push(...nearMisses(config, host).map((key) => `${JSON.stringify(key)} in ${path}`));
    }
    // Keys only, never what they hold.
    if (kept) unused.set(host, kept);
    else if (near.length > 0) unused.set(host, `the Docker config entry ${near.join(' and ')} names ${host.replace(/:\d+$/, '')} at another port or none, so it is not used for ${host} (docker and skopeo match the port too): log in to ${host} itself (docker login ${host})`);
    return undefined;
  }
}

function unusableEntry(key: string, path: string, what: string): string {
  return `auths[${JSON.stringify(key)}] in ${path} has an auth that does not decode to user:password (base64 of "user:password", as docker login writes it): ${what} is read without it; log in again or fix that entry`;
}

function settingsCredential(settings: RegistrySettings | undefined, env: NodeJS.ProcessEnv): Credential | undefined {
  const names = settings?.credentials;
  if (!names) return undefined;
  const token = names.tokenEnv ? env[names.tokenEnv] : undefined;
  if (token) {
    registerSecret(token);
    return { registryToken: token };
  }
  const username = names.usernameEnv ? env[names.usernameEnv] : undefined;
  const password = names.passwordEnv ? env[names.passwordEnv] : undefined;
  if (!username || !password) return undefined;
  registerSecret(password);
  return { username, password };
}

/** Pre-flight: env var names in `credentials` that are unset (the CLI decides exit 2 or a warning). */
export function missingCredentialEnv(
  registries: Map<string, RegistrySettings> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { host: string; variable: string }[] {
  const out: { host: string; variable: string }[] = [];
  for (const [host, settings] of registries ?? []) {
    const names = settings.credentials;
    if (!names) continue;
    for (const variable of [names.usernameEnv, names.passwordEnv, names.tokenEnv]) {
      if (variable && !env[variable]) out.push({ host, variable });
    }
  }
  return out;
}
