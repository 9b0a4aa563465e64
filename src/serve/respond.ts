// How the gateway answers: its own status lines and distribution-style error bodies, a 307, or
// blob bytes proven against their digest as they pass (never a backend's headers as they were).
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { header } from '../registry/http/types.js';
import { VerifyingStream } from '../types/digest.js';
import { DigestMismatchError } from '../types/errors.js';
import type { BlobAnswer } from './blobs.js';
import { blobHead, slicing } from './range.js';

/**
 * A 307 to where the client can read the bytes, or the verified bytes themselves (the bytes a
 * client's `range` asks for, a 206, or a 416: range.ts); `onWrongBytes` is told what streamed
 * bytes hashed to when that is not `digest` (before the client is cut off).
 */
export async function deliver(res: ServerResponse, a: BlobAnswer, digest: string | undefined, head: boolean, onWrongBytes?: (actual: string) => void, range?: string): Promise<number> {
  if (a.kind === 'redirect') return send(res, 307, { location: a.location, 'content-length': '0' }, undefined);
  const up = a.response;
  const length = header(up, 'content-length');
  const said = header(up, 'docker-content-digest');
  const expected = digest ?? said;
  if (head || !expected) {
    up.body.destroy();
    if (!head) return unavailable(res);
    // No length known (a blob decoded on its way in, see below): none said rather than a wrong 0.
    return send(res, 200, { ...(length !== undefined && { 'content-length': length }), 'content-type': 'application/octet-stream', ...(expected ? { 'docker-content-digest': expected } : {}) }, undefined);
  }
  // No length: a proxy in front of the backend gzipped the blob, and it was decoded on its way in
  // (registry/http/content-coding.ts). It goes out chunked; clients judge a blob by its digest
  // (skopeo, podman, containerd and docker read one of unknown length), and so does the gateway.
  const { status, headers, from, to } = blobHead(expected, length === undefined ? undefined : Number(length), range);
  if (status === 416) {
    up.body.destroy();
    return send(res, status, headers, undefined);
  }
  res.writeHead(status, headers);
  // The last chunk is held until the digest is proven: a wrong blob never arrives whole.
  const verify = new VerifyingStream(expected, length === undefined ? undefined : Number(length));
  verify.once('error', (e) => {
    if (e instanceof DigestMismatchError) onWrongBytes?.(e.actual);
  });
  const first = firstToFail(res, up.body, verify);
  const sent = from === undefined ? pipeline(up.body, verify, res) : pipeline(up.body, verify, slicing(from, to!), res);
  return sent.then(() => status, () => {
    res.destroy();
    return first() === 'client' ? CLIENT_CLOSED : BACKEND_BROKE;
  });
}

// What the event of a stream that ended short says (its 200 was already sent): nginx's 499 when
// the client went away, 502 when the backend's bytes broke off or were wrong. Logging both as 200
// made failed downloads look like served ones.
const CLIENT_CLOSED = 499;
const BACKEND_BROKE = 502;

/** Which side failed first: the client closing its connection, or the backend's bytes (or their proof). */
function firstToFail(res: ServerResponse, ...upstream: NodeJS.ReadableStream[]): () => 'client' | 'backend' | undefined {
  let first: 'client' | 'backend' | undefined;
  res.once('close', () => (first ??= 'client'));
  for (const s of upstream) s.once('error', () => (first ??= 'backend'));
  return () => first;
}

/** Writes a whole answer (`reason`: its status line's words, else HTTP's); returns its status. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array | undefined, reason?: string): number {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const all = bytes && !headers['content-length'] ? { ...headers, 'content-length': String(bytes.byteLength) } : headers;
  // A status line takes printable ASCII only (Node throws on anything else).
  if (reason === undefined) res.writeHead(status, all);
  else res.writeHead(status, reason.replace(/[^\x20-\x7e]/g, '?'), all);
  res.end(bytes);
  return status;
}

/**
 * A distribution error body (`{"errors":[{code,message}]}`), the message in the status line too:
 * containerd (ctr, the kubelet's CRI) HEADs a tag before it GETs it and shows an error by its
 * status line alone ('… failed with status code [manifests v1.14.0]: 503 Service Unavailable'),
 * a 404 only as "not found", whatever the body says.
 */
export function fail(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): number {
  return send(res, status, { 'content-type': 'application/json', ...extra }, JSON.stringify({ errors: [{ code, message }] }), message);
}

/**
 * 403 DENIED: content the gateway could serve and will not (containerd shows a 404 as "not
 * found" alone, a refusal's status line as it is).
 */
export function deny(res: ServerResponse, message: string): number {
  return fail(res, 403, 'DENIED', message);
}

/**
 * 503 with Retry-After: no backend answered. Not "in time": most often one refused the gateway's
 * certificate check or credentials, which the gateway's log and /-/stats say.
 */
export function unavailable(res: ServerResponse): number {
  return fail(res, 503, 'UNAVAILABLE', 'no backend could answer (down, unreachable or refusing the gateway); try again later', { 'retry-after': '5' });
}
