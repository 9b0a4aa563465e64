// Odd registry behaviour from a scripted node:http server: 503 with Retry-After, a wrong
// manifest digest once, a blob redirect to another origin (which must not see credentials).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../../src/registry/client.js';
import { sha256 } from '../../../src/types/digest.js';
import { DigestMismatchError } from '../../../src/types/errors.js';
import { OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { drain } from './fixtures.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ host: string; url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, url: `http://${host}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A client of one plain-HTTP test server: 3 attempts, retries without waiting; closed after the test. */
function clientOf(host: string, credential?: { username: string; password: string }): RegistryClient {
  const client = new RegistryClient({
    registries: new Map([[host, { host, tls: 'disabled', maxAttempts: 3 }]]),
    credentials: async () => credential,
    testing: { backoffBaseMs: 1 },
  });
  after(() => client.close());
  return client;
}

const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: sha256('c'), size: 1 }, layers: [] }));
const blob = Buffer.from('blob bytes from the object store');

describe('faults', () => {
  it('retries 503 with Retry-After, refetches a wrong digest, and strips credentials on a cross-origin redirect', async () => {
    const seenByStore: (string | undefined)[] = [];
    const store = await serve((req, res) => {
      seenByStore.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': blob.byteLength }).end(blob);
    });
    after(() => store.close());
    let manifestCalls = 0;
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) return res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      if (req.url === '/v2/') return res.writeHead(200).end();
      if (req.url === '/v2/r/manifests/v1') {
        manifestCalls++;
        if (manifestCalls === 1) return res.writeHead(503, { 'retry-after': '0' }).end();
        const body = manifestCalls === 2 ? Buffer.from(manifest.toString().replace('schemaVersion', 'schemaversion')) : manifest;
        return res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256(manifest), 'content-length': body.byteLength }).end(body);
      }
      if (req.url === '/v2/r/manifests/always-wrong') {
        return res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256('other'), 'content-length': manifest.byteLength }).end(manifest);
      }
      if (req.url?.startsWith('/v2/r/blobs/')) return res.writeHead(307, { location: `${store.url}/bucket/blob?X-Amz-Signature=abc` }).end();
      res.writeHead(404).end();
    });
    after(() => registry.close());
    const client = clientOf(registry.host, { username: 'u', password: 'fake-password' });
    const repo = client.repository(registry.host, 'r', 'pull');

    const got = await repo.fetchManifest('v1');
    assert.deepEqual(Buffer.from(got.bytes), manifest);
    assert.equal(got.descriptor.digest, sha256(manifest));
    assert.equal(manifestCalls, 3);
    assert.equal(client.stats.retries, 2);

    await assert.rejects(repo.fetchManifest('always-wrong'), DigestMismatchError);

    const bytes = await drain(await repo.fetchBlob({ mediaType: 'x', digest: sha256(blob), size: blob.byteLength }));
    assert.deepEqual(bytes, blob);
    assert.deepEqual(seenByStore, [undefined]);
  });

  it('pushes a manifest again when distribution says a blob is unknown while a parallel shard pushes that blob', async () => {
    // distribution 2.8 rewrites a blob's link in place: a PUT racing another writer of the blob
    // (two `sync --shard` processes into one target) is answered 400 MANIFEST_BLOB_UNKNOWN once.
    const digest = sha256(manifest);
    const puts: string[] = [];
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end();
      if (req.method === 'PUT' && req.url === `/v2/r/manifests/${digest}`) {
        req.resume();
        puts.push(req.url);
        if (puts.length === 1) {
          const body = JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }, { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: sha256('c') }] });
          return res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        }
        return res.writeHead(201, { 'docker-content-digest': digest, 'content-length': 0 }).end();
      }
      res.writeHead(404).end();
    });
    after(() => registry.close());
    const client = clientOf(registry.host);
    const repo = client.repository(registry.host, 'r', 'push');
    await repo.pushManifest({ mediaType: OCI_MANIFEST, digest, size: manifest.byteLength }, manifest);
    assert.equal(puts.length, 2);
  });

  it('gives up on a blob distribution keeps calling unknown, with its answer', async () => {
    const digest = sha256(manifest);
    let puts = 0;
    const registry = await serve((req, res) => {
      if (req.url === '/v2/') return res.writeHead(200).end();
      if (req.method === 'PUT') {
        req.resume();
        puts++;
        const body = JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
        return res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      }
      res.writeHead(404).end();
    });
    after(() => registry.close());
    const client = clientOf(registry.host);
    const repo = client.repository(registry.host, 'r', 'push');
    await assert.rejects(repo.pushManifest({ mediaType: OCI_MANIFEST, digest, size: manifest.byteLength }, manifest), /400.*MANIFEST_BLOB_UNKNOWN/);
    assert.equal(puts, 3);
    // No race then, but a registry keeping the blob elsewhere (Harbor, Quay): the next manifest's
    // refusal goes to the caller's heal at once, not after 2 PUTs and their pauses.
    await assert.rejects(repo.pushManifest({ mediaType: OCI_MANIFEST, digest, size: manifest.byteLength }, manifest), /400.*MANIFEST_BLOB_UNKNOWN/);
    assert.equal(puts, 4);
  });
});
