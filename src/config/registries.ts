// `registries:` → per-host settings: host keys checked, credentials only as env var names,
// TLS defaulting like go-containerregistry (loopback = plain HTTP), paths made absolute.
import path from 'node:path';
import { isValidHost } from '../types/reference.js';
import type { RegistrySettings } from './model.js';
import type { RawRegistry } from './raw.js';
import { formatPath, type Locator } from './positions.js';
import { INLINE_SECRET } from './secrets.js';
import { isLoopback } from '../types/host.js';


/** Builds the registry map; hosts not listed get no entry (callers apply defaults). */
export function buildRegistries(raw: Record<string, RawRegistry> | undefined, baseDir: string, loc: Locator): Map<string, RegistrySettings> {
  const out = new Map<string, RegistrySettings>();
  for (const [host, r] of Object.entries(raw ?? {})) {
    const at = ['registries', host];
    if (!isValidHost(host)) throw loc.errorAtKey(at, `registries: "${host}" is not a registry host (host or host:port, e.g. quay.io, registry.internal:5000)`);
    // SPEC: an explicit `tls` (or a `caFile`, which only means something over TLS) wins over the loopback default.
    const tls = r.tls ?? (isLoopback(host) && r.caFile === undefined ? 'disabled' : 'verify');
    const settings: RegistrySettings = { host, tls, position: loc.key(at) };
    if (r.credentials) settings.credentials = checkCredentials(r.credentials, [...at, 'credentials'], loc);
    if (r.concurrency !== undefined) settings.concurrency = r.concurrency;
    if (r.maxAttempts !== undefined) settings.maxAttempts = r.maxAttempts;
    if (r.rateLimit !== undefined) settings.rateLimit = r.rateLimit;
    if (r.http2 !== undefined) settings.http2 = r.http2;
    if (r.caFile !== undefined) settings.caFile = path.resolve(baseDir, r.caFile);
    if (r.endpoint !== undefined) settings.endpoint = checkEndpoint(r.endpoint, [...at, 'endpoint'], loc);
    out.set(host, settings);
  }
  return out;
}

function checkCredentials(c: NonNullable<RawRegistry['credentials']>, at: string[], loc: Locator): NonNullable<RawRegistry['credentials']> {
  const basic = c.usernameEnv !== undefined || c.passwordEnv !== undefined;
  const complete = (c.usernameEnv !== undefined && c.passwordEnv !== undefined) !== (c.tokenEnv !== undefined);
  if (!complete || (basic && c.tokenEnv !== undefined)) {
    throw loc.errorAt(at, `${formatPath(at)}: give usernameEnv and passwordEnv (both), or tokenEnv alone`);
  }
  return { ...c };
}

function checkEndpoint(text: string, at: string[], loc: Locator): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw loc.errorAt(at, `${formatPath(at)}: not a URL; expected http(s)://host[:port]`);
  }
  if (url.username || url.password) throw loc.errorAt(at, `${formatPath(at)}: ${INLINE_SECRET}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw loc.errorAt(at, `${formatPath(at)}: expected an http:// or https:// URL, got ${url.protocol}`);
  }
  return text.replace(/\/+$/, '');
}
