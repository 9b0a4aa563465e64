// The gateway behind a middlebox that gzips answers nobody asked to have compressed: the blob the
// gateway streams is decoded on its way in, so it no longer comes with a Content-Length. skopeo
// pulls through the gateway and judges every digest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { bearerFor } from '../../harness/registry.js';
import { startGateway } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { middlebox, type MiddleboxStats } from '../../harness/personalities/middlebox.js';

let world: World;
let box: Personality | undefined;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, personalitiesB: [(ex) => box?.(ex) ?? false] });
});

after(async () => {
  await world?.close();
});

test('blobs streamed from a backend behind a proxy that gzips them: served decoded, chunked, every digest right (skopeo)', { timeout: 240_000 }, async () => {
  const stats: MiddleboxStats = { rewritten: 0 };
  box = middlebox({ method: 'GET', path: /\/blobs\/sha256:/, gzip: true }, stats);
  // B needs a token: the gateway streams its blobs itself rather than sending the client there.
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'gzip.yaml' }), ['--tag-ttl', '0']);
  try {
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/gzip:v1.14.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/gzip:v1.14.0`), world.images.get('v1.14.0')!.digest);
    assert.ok(stats.rewritten >= 4, `the middlebox gzipped ${stats.rewritten} blobs`);
    const blobs = gw.events.filter((e) => e.kind === 'blob');
    assert.ok(blobs.length >= 4 && blobs.every((e) => e.status === 200), JSON.stringify(blobs.map((e) => e.status)));
    // A HEAD of such a blob is a HEAD at the backend (this middlebox codes GETs): the blob's own length.
    const digest = blobs[0]!.digest;
    const head = await fetch(`${gw.url}/v2/app/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const whole = await fetch(`${world.regB.url}/v2/mirror-b/app/blobs/${digest}`, { headers: { authorization: `Bearer ${await bearerFor(world.regB, 'repository:mirror-b/app:pull')}` } });
    assert.equal(head.headers.get('content-length'), String((await whole.arrayBuffer()).byteLength));
  } finally {
    box = undefined;
    assert.equal(await gw.stop(), 0);
  }
});
