// A client's HEAD of a blob the gateway streams (a backend that wants a token) was a GET at the
// backend whose body the gateway dropped once the headers came: each HEAD of a 300 MiB layer
// started its whole download there and cost the connection (gateway5 hunt: 3 HEADs through the
// gateway, 3 GETs of the layer at the backend). It is a HEAD at the backend now, with the same
// Content-Length and Docker-Content-Digest to the client; a GET still streams the proven bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';

let world: World;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1 });
});

after(async () => {
  await world?.close();
});

test('a HEAD of a streamed blob is a HEAD at the backend, its length and digest told', { timeout: 120_000 }, async () => {
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'head.yaml' }));
  try {
    const blobs = world.images.get('v1.14.0')!.blobDigests;
    const asked = (method: string, digest: string) => world.proxyB.stats.log.filter((e) => e.method === method && e.path.endsWith(`/blobs/${digest}`)).length;
    for (const digest of blobs) {
      const head = await fetch(`${gw.url}/v2/app/blobs/${digest}`, { method: 'HEAD' });
      assert.equal(head.status, 200, digest);
      assert.equal(head.headers.get('docker-content-digest'), digest);
      assert.equal(asked('GET', digest), 0, `no download at the backend for a HEAD of ${digest}`);
      assert.ok(asked('HEAD', digest) >= 1, `a HEAD at the backend for ${digest}`);
      const get = await fetch(`${gw.url}/v2/app/blobs/${digest}`);
      const bytes = Buffer.from(await get.arrayBuffer());
      assert.equal(get.status, 200);
      assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, digest, 'the GET streams the blob');
      assert.equal(head.headers.get('content-length'), String(bytes.byteLength), 'the HEAD told its length');
    }
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
