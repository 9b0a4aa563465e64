// Which forward proxy a request goes through, decided from HTTPS_PROXY / HTTP_PROXY / NO_PROXY as
// Go's http.ProxyFromEnvironment decides it (golang.org/x/net/http/httpproxy), so that regmirror's
// own transport and skopeo (crane, oras, regclient) take the same way out of a corporate network.
import { BlockList, isIP } from 'node:net';
import { UsageError } from '../../types/errors.js';

/** A proxy as the environment names it: where it is, and which variable said so (for messages). */
export interface ProxyRoute {
  proxy: URL;
  variable: string;
}

/** The proxy as messages name it: scheme, host and port, never its credentials. */
export function proxyName(route: ProxyRoute): string {
  return `${route.proxy.protocol}//${route.proxy.host} (${route.variable})`;
}

/** The proxy settings of one environment, parsed once. */
export interface ProxyEnv {
  https?: ProxyRoute;
  http?: ProxyRoute;
  /** NO_PROXY: `*`, or the hosts, domains, IPs and CIDRs it lists. */
  exempt: NoProxy;
}

interface NoProxy {
  all: boolean;
  domains: { suffix: string; exact: boolean; port: string }[];
  ips: { ip: string; port: string }[];
  cidrs: BlockList;
}

/** Reads the variables (upper case first, as Go does); a proxy URL regmirror cannot use is a UsageError. */
export function proxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const named = (...names: string[]) => names.find((n) => env[n]);
  const route = (...names: string[]): ProxyRoute | undefined => {
    const variable = named(...names);
    return variable ? { proxy: parseProxy(variable, env[variable]!), variable } : undefined;
  };
  const noProxy = named('NO_PROXY', 'no_proxy');
  return { https: route('HTTPS_PROXY', 'https_proxy'), http: route('HTTP_PROXY', 'http_proxy'), exempt: parseNoProxy(noProxy ? env[noProxy]! : '') };
}

/** The proxy for `url`, or undefined for a direct connection (no proxy named, NO_PROXY, loopback). */
export function proxyFor(url: URL, env: ProxyEnv): ProxyRoute | undefined {
  const route = url.protocol === 'https:' ? env.https : url.protocol === 'http:' ? env.http : undefined;
  return route && !isExempt(url, env.exempt) ? route : undefined;
}

/** Whether NO_PROXY (or loopback, which is never proxied) sends `url` direct. */
export function isExempt(url: URL, exempt: NoProxy): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const family = isIP(host);
  if (host === 'localhost' || (family !== 0 && isLoopback(host, family))) return true;
  if (exempt.all) return true;
  if (family !== 0) {
    if (exempt.ips.some((m) => m.ip === canonicalIp(host) && (m.port === '' || m.port === port))) return true;
    if (exempt.cidrs.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
  }
  return exempt.domains.some((m) => (host.endsWith(m.suffix) || (m.exact && host === m.suffix.slice(1))) && (m.port === '' || m.port === port));
}

// Go: a URL without a scheme (`proxy:3128`) is taken as http://.
function parseProxy(variable: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
    if (!url.host) throw new TypeError('no host');
  } catch {
    throw new UsageError(`${variable} is not a proxy URL: give it as http://HOST:PORT (or https://), with USER:PASSWORD@ before the host if the proxy asks for credentials`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${variable} names a ${url.protocol.slice(0, -1)}:// proxy: regmirror goes through http:// and https:// proxies only`);
  }
  // Go refuses such a URL too ('invalid URL escape'); read as it is, it ended the run with 'URI malformed'.
  if (!decodes(url.username) || !decodes(url.password)) {
    throw new UsageError(`${variable}: the user or password in it is not percent-encoded: write % as %25 (and @ as %40, : as %3A)`);
  }
  return url;
}

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

// As httpproxy.config.init: entries are trimmed and lower-cased; `*.example.com`, `.example.com`
// and `example.com` all match subdomains, the last also the name itself; a port narrows an entry.
function parseNoProxy(value: string): NoProxy {
  const out: NoProxy = { all: false, domains: [], ips: [], cidrs: new BlockList() };
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') {
      out.all = true;
      continue;
    }
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!) !== 0) {
      out.cidrs.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    const { host, port } = splitHostPort(entry);
    if (isIP(host) !== 0) {
      out.ips.push({ ip: canonicalIp(host), port });
      continue;
    }
    const name = host.startsWith('*.') ? host.slice(1) : host;
    out.domains.push(name.startsWith('.') ? { suffix: name, exact: false, port } : { suffix: `.${name}`, exact: true, port });
  }
  return out;
}

// `host:port`, `[v6]:port`, or a bare host (a bare IPv6 address has colons but no port).
function splitHostPort(entry: string): { host: string; port: string } {
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? '' };
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  return hostPort ? { host: hostPort[1]!, port: hostPort[2]! } : { host: entry, port: '' };
}

function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

function isLoopback(ip: string, family: number): boolean {
  return LOOPBACK.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
