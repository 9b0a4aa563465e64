// What the registry personalities share: which API route a request is, answering from a reply
// read upstream, and what a bearer token grants (its JWT claims, read without checking the signature).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Exchange, UpstreamReply } from '../fault-proxy.js';

/** One distribution API request: repository, resource and the rest of the path, and its query. */
export interface Route {
  repository: string;
  resource: 'tags' | 'manifests' | 'blobs' | 'uploads' | 'referrers';
  /** The tag, digest or upload id after the resource ('' for tags/list). */
  ref: string;
  query: URLSearchParams;
}

const ROUTE = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/?]+)|blobs\/uploads\/([^?]*)|blobs\/([^/?]+)|referrers\/([^/?]+))(?:\?(.*))?$/;

/** The route of `path` (path and query), or undefined for /v2/ and anything else. */
export function routeOf(path: string): Route | undefined {
  const m = ROUTE.exec(path);
  if (!m) return undefined;
  const query = new URLSearchParams(m[7] ?? '');
  const [repository, whole] = [m[1]!, m[2]!];
  if (whole === 'tags/list') return { repository, resource: 'tags', ref: '', query };
  if (m[3] !== undefined) return { repository, resource: 'manifests', ref: m[3], query };
  if (m[4] !== undefined) return { repository, resource: 'uploads', ref: m[4], query };
  if (m[5] !== undefined) return { repository, resource: 'blobs', ref: m[5], query };
  return { repository, resource: 'referrers', ref: m[6]!, query };
}

/** Every manifest type, so the upstream never converts what it serves. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The client's own credentials and Accept, for asking the upstream on its behalf. */
export function clientHeaders(ex: Exchange, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...extra };
  if (ex.req.headers.authorization) out.authorization = ex.req.headers.authorization;
  if (ex.req.headers.accept && !out.accept) out.accept = ex.req.headers.accept;
  return out;
}

/** Answers with `status`, headers and a body (for HEAD the headers only, as a registry does). */
export function answer(ex: Exchange, status: number, headers: OutgoingHttpHeaders | IncomingHttpHeaders, body: Buffer | string = ''): void {
  const out: OutgoingHttpHeaders = { ...headers };
  for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'date']) delete out[name];
  const bytes = Buffer.from(body);
  if (ex.method !== 'HEAD' || out['content-length'] === undefined) out['content-length'] = String(bytes.length);
  ex.entry.status = status;
  ex.res.writeHead(status, out).end(ex.method === 'HEAD' ? undefined : bytes);
}

/** Relays an upstream reply as it came (Location rewritten onto the proxy like forward() does). */
export function relay(ex: Exchange, reply: UpstreamReply, extra: OutgoingHttpHeaders = {}): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers, ...extra };
  const location = reply.headers.location;
  if (location?.startsWith(ex.upstream.origin)) headers.location = ex.origin + location.slice(ex.upstream.origin.length);
  answer(ex, reply.status, headers, reply.body);
}

/** The `errors[].code` values of a distribution error body. */
export function errorCodes(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: string }[] };
    return (parsed.errors ?? []).map((e) => String(e.code));
  } catch {
    return [];
  }
}

/** Actions a bearer token grants on `repository` (from its JWT `access` claim); [] for none or Basic. */
export function grantedActions(authorization: string | undefined, repository: string): string[] {
  const access = bearerClaims(authorization)?.access as { type: string; name: string; actions: string[] }[] | undefined;
  return (access ?? []).filter((a) => a.type === 'repository' && a.name === repository).flatMap((a) => a.actions);
}

/** The claims of a bearer JWT, read without checking the signature; undefined for none, Basic or a malformed token. */
export function bearerClaims(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
