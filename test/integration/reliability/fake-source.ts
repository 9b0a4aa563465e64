// A minimal read-only registry that serves exactly the bytes it is given, so a test can offer
// manifests a real registry refuses to store: over 4 MiB, invalid JSON, unknown digest
// algorithms, tags outside the OCI grammar.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestOf } from '../../harness/seed.js';

/** One manifest served under a tag (and under its digest). */
export interface FakeManifest { tag: string; bytes: Buffer; mediaType: string }

/** A running fake registry; `requests` lists "METHOD path" of every request. */
export interface FakeSource { url: string; host: string; requests: string[]; close(): Promise<void> }

/** Serves `repo`'s tags list, manifests and blobs; anything else is 404. */
export async function startFakeSource(repo: string, manifests: FakeManifest[], blobs: Buffer[], extraTags: string[] = []): Promise<FakeSource> {
  const byRef = new Map<string, FakeManifest>();
  for (const m of manifests) {
    byRef.set(m.tag, m);
    byRef.set(digestOf(m.bytes), m);
  }
  const blobByDigest = new Map(blobs.map((b) => [digestOf(b), b]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    req.resume();
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-length': String(body.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/v2/' || path === '/v2') return send(200, Buffer.from('{}'), { 'content-type': 'application/json' });
    if (path === `/v2/${repo}/tags/list`) {
      return send(200, Buffer.from(JSON.stringify({ name: repo, tags: [...manifests.map((m) => m.tag), ...extraTags] })), { 'content-type': 'application/json' });
    }
    const manifest = new RegExp(`^/v2/${repo}/manifests/(.+)$`).exec(path);
    if (manifest) {
      const m = byRef.get(decodeURIComponent(manifest[1]!));
      if (!m) return send(404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}'), { 'content-type': 'application/json' });
      return send(200, m.bytes, { 'content-type': m.mediaType, 'docker-content-digest': digestOf(m.bytes) });
    }
    const blob = new RegExp(`^/v2/${repo}/blobs/(.+)$`).exec(path);
    const bytes = blob ? blobByDigest.get(decodeURIComponent(blob[1]!)) : undefined;
    if (bytes) return send(200, bytes, { 'content-type': 'application/octet-stream', 'docker-content-digest': digestOf(bytes) });
    return send(404, Buffer.from('{"errors":[{"code":"NOT_FOUND","message":"not found"}]}'), { 'content-type': 'application/json' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`, host, requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
