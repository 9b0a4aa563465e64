// Fetches release files given by URL (`{tag}` already replaced) into a temporary directory,
// streamed to disk, following redirects (GitHub release assets redirect to a CDN).
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { routedFactory } from '../registry/http/proxy.js';
import { proxyRefused } from '../registry/http/proxy-answers.js';
import { describeStatus } from '../registry/http/front-pages.js';
import { tlsFailure } from '../registry/http/tls-errors.js';
import { storeContext } from '../registry/http/trust-store.js';
import { RegmirrorError, type TlsProblem } from '../types/errors.js';

/** A release file that could not be downloaded (non-200, network failure). */
export class DownloadError extends RegmirrorError {
  override name = 'DownloadError';
  /** The server's HTTP status, when it answered with one. */
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

// What a refusal most likely means for a release file (the caller says where to look).
const REFUSED = 'the server refused the download (a private release, or a signed link that expired)';
const STATUS_SAYS: Partial<Record<number, string>> = { 401: REFUSED, 403: REFUSED, 404: 'no such file' };

const MAX_REDIRECTS = 10;

/** One dispatcher for every download of a run, through the proxy the environment names; close it when done. */
export function downloadAgent(): { dispatcher: Dispatcher; close(): Promise<void> } {
  const routed = routedFactory();
  const agent = new Agent({ factory: (origin: string | URL, opts: object) => routed(origin, new URL(origin).protocol === 'https:' ? withStore(opts) : opts) });
  return { dispatcher: agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS })), close: () => agent.close() };
}

/**
 * An https:// origin's pool options with the machine's store (trust-store.ts), as registries are
 * verified: a release server signed by an enterprise CA there was 'not trusted'. Built on the first
 * https:// origin (once per process), never for plain http.
 */
function withStore(opts: object): object {
  const store = storeContext();
  return store ? { ...opts, connect: { ...(opts as { connect?: object }).connect, secureContext: store } } : opts;
}

/** The file name a URL names: the last path segment, decoded. */
export function fileNameOf(url: string): string {
  const segment = new URL(url).pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    name = segment;
  }
  if (!name || name === '.' || name === '..' || /[/\\]/.test(name)) throw new DownloadError(`${url}: the URL does not end in a file name`);
  return name;
}

/** Downloads `url` to `dir/<file name>` and returns that path. */
export async function download(url: string, dir: string, dispatcher: Dispatcher, signal?: AbortSignal): Promise<string> {
  const path = join(dir, fileNameOf(url));
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, { dispatcher, signal, headers: { accept: 'application/octet-stream' } });
  } catch (err) {
    throw new DownloadError(`GET ${url}: ${certificateProblem(err) ?? (err instanceof Error ? err.message : String(err))}`);
  }
  if (res.statusCode !== 200) {
    res.body.resume();
    // A 407 (or a page the proxy made) to a plain-http URL is the proxy's it was forwarded to (HTTP_PROXY), said as the registry client says it.
    const proxy = proxyRefused(new URL(url), res.statusCode, res.headers);
    if (proxy) throw new DownloadError(`GET ${url}: ${proxy.message}`);
    const why = res.statusCode >= 300 && res.statusCode < 400 ? ' (too many redirects, or a redirect without Location)' : '';
    const says = STATUS_SAYS[res.statusCode];
    throw new DownloadError(`GET ${url}: HTTP ${describeStatus(res.statusCode)}${why}${says ? `: ${says}` : ''}`, res.statusCode);
  }
  try {
    await pipeline(res.body, createWriteStream(path, { flags: 'wx' }), { signal });
  } catch (err) {
    throw new DownloadError(`GET ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return path;
}

// Release files come from web servers, not registries: Node's CA roots and the machine's store
// verify them, and what a refused certificate needs is said here (undici's own words were only
// "self-signed certificate").
const DOWNLOAD_PROBLEM: Partial<Record<TlsProblem, string>> = {
  untrusted: 'its TLS certificate is not trusted',
  'wrong-name': 'its TLS certificate does not match the name in the URL',
  expired: 'its TLS certificate has expired or is not yet valid',
  'client-cert': 'it asks for a client certificate (mutual TLS), which regmirror does not present',
};

/** What is wrong with the release server's certificate, and what to do; undefined when not a certificate problem. */
function certificateProblem(err: unknown): string | undefined {
  const found = tlsFailure(err);
  const what = found && DOWNLOAD_PROBLEM[found.problem];
  if (!found || !what) return undefined;
  const ca = found.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'that self-signed certificate itself' : 'the CA that signed it';
  const remedy = found.problem === 'untrusted' ? `: release files are checked against Node's CA roots and this machine's store; add ${ca} there (update-ca-certificates, SSL_CERT_FILE) or in a PEM file named by the NODE_EXTRA_CA_CERTS environment variable` : '';
  return `${what} (${found.code})${remedy}`;
}
