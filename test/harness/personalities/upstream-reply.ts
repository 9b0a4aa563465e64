// Helpers the write-side personalities share: answer the client with an upstream reply read whole
// (headers edited, the upstream's absolute Location moved onto the proxy), and split a request path.
import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange, UpstreamReply } from '../fault-proxy.js';

/** Sends `reply` to the client: `drop` headers removed, `set` headers added, status replaced when given. */
export function relay(ex: Exchange, reply: UpstreamReply, edit: { status?: number; drop?: string[]; set?: OutgoingHttpHeaders } = {}): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  for (const name of ['connection', 'keep-alive', 'transfer-encoding', ...(edit.drop ?? [])]) delete headers[name];
  const location = reply.headers.location;
  if (location?.startsWith(ex.upstream.origin)) headers.location = ex.origin + location.slice(ex.upstream.origin.length);
  Object.assign(headers, edit.set ?? {});
  const status = edit.status ?? reply.status;
  ex.entry.status = status;
  const body = ex.method === 'HEAD' ? undefined : reply.body;
  if (body) headers['content-length'] = String(body.byteLength);
  ex.res.writeHead(status, headers).end(body);
}

/** The client's request headers to pass on when the personality asks the upstream itself. */
export function passOn(ex: Exchange): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...ex.req.headers };
  delete headers.connection;
  delete headers.host;
  delete headers['content-length'];
  // HTTP/2 pseudo-headers (:method, :path, …) are not HTTP/1.1 headers (a proxy serving h2).
  for (const name of Object.keys(headers)) if (name.startsWith(':')) delete headers[name];
  return headers;
}

/** A distribution API path taken apart: repository name, resource and the rest. */
export interface ApiPath { name: string; kind: 'manifests' | 'blobs' | 'uploads' | 'tags'; rest: string; query: URLSearchParams }

const API = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|tags)\/?([^?]*)(?:\?(.*))?$/;

/** Parses `/v2/<name>/<resource>/<rest>?<query>`, or undefined for other paths. */
export function apiPath(path: string): ApiPath | undefined {
  const m = API.exec(path);
  if (!m) return undefined;
  const kind = m[2] === 'blobs/uploads' ? 'uploads' : (m[2] as 'manifests' | 'blobs' | 'tags');
  return { name: m[1]!, kind, rest: m[3] ?? '', query: new URLSearchParams(m[4] ?? '') };
}
