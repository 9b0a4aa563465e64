// `registries:` → per-host settings: host keys checked, credentials only as env var names,
// TLS defaulting like go-containerregistry (loopback = plain HTTP), paths made absolute.
import { isValidHost, upperCaseHostProblem } from '../types/reference.js';
import type { RegistrySettings } from './model.js';
import type { RawRegistry } from './raw.js';
import { formatPath, type Locator } from './positions.js';
import { INLINE_SECRET } from './secrets.js';
import { bracketHint, bracketedIpv6, isLoopback, urlBracketHint } from '../types/host.js';
import { configPath } from './paths.js';


/** Builds the registry map; hosts not listed get no entry (callers apply defaults). */
export function buildRegistries(raw: Record<string, RawRegistry> | undefined, baseDir: string, loc: Locator): Map<string, RegistrySettings> {
  const out = new Map<string, RegistrySettings>();
  for (const [host, r] of Object.entries(raw ?? {})) {
    const at = ['registries', host];
    if (!isValidHost(host)) throw loc.errorAtKey(at, `registries: "${host}" is not a registry host (host or host:port, e.g. quay.io, registry.internal:5000)${hostKeyHint(host) ?? bracketHint(host)}`);
    const capitals = upperCaseHostProblem(host);
    if (capitals) throw loc.errorAtKey(at, `registries: ${capitals}`);
    // SPEC: an explicit `tls` (or a `caFile`, which only means something over TLS) wins over the loopback default.
    const tls = r.tls ?? (isLoopback(host) && r.caFile === undefined ? 'disabled' : 'verify');
    const settings: RegistrySettings = { host, tls, position: loc.key(at) };
    if (r.credentials) settings.credentials = checkCredentials(r.credentials, [...at, 'credentials'], loc);
    if (r.concurrency !== undefined) settings.concurrency = r.concurrency;
    if (r.maxAttempts !== undefined) settings.maxAttempts = r.maxAttempts;
    if (r.rateLimit !== undefined) settings.rateLimit = r.rateLimit;
    if (r.http2 !== undefined) settings.http2 = r.http2;
    if (r.pipelining !== undefined) settings.pipelining = r.pipelining;
    if (r.caFile !== undefined) settings.caFile = configPath(baseDir, r.caFile);
    if (r.endpoint !== undefined) settings.endpoint = checkEndpoint(r.endpoint, [...at, 'endpoint'], loc);
    checkPlainWithTls(r, at, loc);
    out.set(host, settings);
  }
  return out;
}

/**
 * A caFile beside `tls: insecure` in one entry: the registry and its token service are then not
 * verified at all, so the CA is not used for them (only lent to downloads the registry redirects
 * to another host); which of the two was meant only the user knows, so a warning, not a refusal.
 * Said by validate and by every run, once (a file that verified with that CA still runs).
 */
export function insecureBesideCaFile(config: { file: string; registries: Map<string, RegistrySettings> }): string[] {
  return [...config.registries.values()].flatMap((s) => {
    if (s.tls !== 'insecure' || s.caFile === undefined) return [];
    const at = s.position ? `${config.file}:${s.position.line}:${s.position.col}: ` : '';
    return [`${at}registries.${s.host}: \`tls: insecure\` skips certificate verification, so its \`caFile\` (${s.caFile}) is not used for ${s.host} or its token service (only for downloads it redirects to another host): remove \`tls: insecure\` to verify with that CA, or remove the caFile`];
  });
}

// `https://quay.io` or `quay.io/jetstack` as a key, as copied from a URL or an image name: say the host
// to write, and where what the scheme or the path meant goes instead.
function hostKeyHint(key: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(key)?.[1];
  const host = key.slice(scheme ? scheme.length + 3 : 0).split('/')[0]!;
  if (host === key || !isValidHost(host)) return undefined;
  const why = scheme
    ? `a key has no ${scheme}:// scheme (plain HTTP or TLS is \`tls:\` there, or an \`endpoint:\` URL)`
    : 'a key is a host alone, and its settings hold for every repository there';
  return `; ${why}: write "${host}"`;
}

function checkCredentials(c: NonNullable<RawRegistry['credentials']>, at: string[], loc: Locator): NonNullable<RawRegistry['credentials']> {
  const basic = c.usernameEnv !== undefined || c.passwordEnv !== undefined;
  const complete = (c.usernameEnv !== undefined && c.passwordEnv !== undefined) !== (c.tokenEnv !== undefined);
  if (!complete || (basic && c.tokenEnv !== undefined)) {
    throw loc.errorAt(at, `${formatPath(at)}: give usernameEnv and passwordEnv (both), or tokenEnv alone`);
  }
  for (const key of ['usernameEnv', 'passwordEnv', 'tokenEnv'] as const) {
    const name = c[key];
    if (name !== undefined && looksLikeSecret(name)) {
      throw loc.errorAt([...at, key], `${formatPath([...at, key])}: this looks like a secret pasted in place of a variable name (it is not repeated here); revoke it, export it as e.g. REGISTRY_TOKEN and write that name`);
    }
  }
  return { ...c };
}

// A token pasted where the variable's name belongs passes as a name (ghp_… is letters, digits and _),
// and every later message would repeat it: `$ghp_…`, "ghp_… is not set". Variable names are words
// (QUAY_ROBOT_TOKEN, quayPassword2); tokens are known prefixes or long runs without separators,
// mixed-case ones with digits scattered through them. RegistryPassword2 or GhcrTokenForReleases2025
// (one run of digits) stay names.
function looksLikeSecret(name: string): boolean {
  if (/^(gh[pousr]_|github_pat_|glpat|dckr_pat_)/.test(name)) return true;
  const digitRuns = name.match(/[0-9]+/g)?.length ?? 0;
  if (name.length >= 20 && !name.includes('_') && /[a-z]/.test(name) && /[A-Z]/.test(name) && digitRuns >= 3) return true;
  return name.length >= 32 && !name.includes('_');
}

/**
 * `caFile` and `tls: verify`/`insecure` only mean something over TLS. Where the registry is spoken
 * to in plain HTTP all the same (`tls: disabled` without an endpoint, or an http:// endpoint, which
 * wins as written), one of the two is a mistake, and which one only the user knows.
 */
function checkPlainWithTls(r: RawRegistry, at: string[], loc: Locator): void {
  if (r.endpoint === undefined) {
    if (r.tls === 'disabled' && r.caFile !== undefined) {
      throw loc.errorAt([...at, 'caFile'], `${formatPath([...at, 'caFile'])}: a caFile is for TLS, and \`tls: disabled\` speaks plain HTTP: remove one of the two`);
    }
    return;
  }
  const tlsSetting = r.caFile !== undefined ? 'caFile' : r.tls === 'verify' || r.tls === 'insecure' ? `tls: ${r.tls}` : undefined;
  if (/^http:/i.test(r.endpoint) && tlsSetting) {
    throw loc.errorAt([...at, 'endpoint'], `${formatPath([...at, 'endpoint'])}: an http:// endpoint speaks plain HTTP, but \`${tlsSetting}\` is set, which is for TLS: make the endpoint https:// or remove \`${tlsSetting}\``);
  }
}

function checkEndpoint(text: string, at: string[], loc: Locator): string {
  const problem = endpointProblem(text);
  if (problem) throw loc.errorAt(at, `${formatPath(at)}: ${problem}`);
  return text.replace(/\/+$/, '');
}

/** What is wrong with an endpoint URL (`endpoint:` in mirrors.yaml, or --endpoint's), or undefined. */
export function endpointProblem(text: string): string | undefined {
  // `127.0.0.1:5000` as typed after curl or docker: say the URL to write, whole (`localhost:5000`
  // would otherwise parse as the scheme "localhost:").
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const authority = text.split('/')[0]!;
    const bracketed = bracketedIpv6(authority) ?? authority;
    const fixed = bracketed + text.slice(authority.length);
    // Loopback registries speak plain HTTP by default (SPEC "mirrors.yaml"), others TLS.
    const [scheme, other] = isLoopback(bracketed) ? ['http', 'https'] : ['https', 'http'];
    return `no scheme; write ${scheme}://${fixed} (${other}:// for ${other === 'https' ? 'TLS' : 'plain HTTP'})`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL; expected http(s)://host[:port]${urlBracketHint(text)}`;
  }
  if (url.username || url.password) return INLINE_SECRET;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http:// or https:// URL, got ${url.protocol}`;
  // The client adds /v2/ itself (a path before it is kept as a prefix): a copied ".../v2/" would ask for /v2/v2/.
  if (/\/v2\/*$/.test(url.pathname)) return `leave out the /v2 (regmirror adds it); write ${url.origin}${url.pathname.replace(/\/v2\/*$/, '')}`;
  return undefined;
}
