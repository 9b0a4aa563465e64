// A backend that stops sending halfway through a layer the gateway streams, its connection left
// open (a stalled load balancer, a wedged disk): the gateway gives it --timeout without a byte,
// as it gives a backend to answer at all, then carries the layer on from the next backend with
// Range. It used to wait out the transport's 60 s body timeout while skopeo's pull sat still.
// The log says it once, in its own words, not undici's "Body Timeout Error".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { getManifest } from '../../harness/seed.js';

let world: World;
let layer: string; // v1.14.0's first platform's layer (4 MiB)

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, layerBytes: 4 * 1024 * 1024 });
  const child = world.images.get('v1.14.0')!.childDigests[0]!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', child))!.bytes.toString('utf8')) as { layers: { digest: string }[] };
  layer = manifest.layers[0]!.digest;
});

after(async () => {
  await world?.close();
});

test('B stalls mid-layer: A carries it on after --timeout, and skopeo gets every digest', { timeout: 240_000 }, async () => {
  // B needs a token, so the gateway streams its blobs: one MiB of the layer, then silence.
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), fault: { kind: 'stall', afterBytes: 1024 * 1024 } });
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'stall.yaml' }), ['--tag-ttl', '0', '--timeout', '2']);
  try {
    const started = Date.now();
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/stall:v1.14.0`, { preserveDigests: true });
    const took = Date.now() - started;
    assert.equal(await skopeoDigest(`oci:${world.dir}/stall:v1.14.0`), world.images.get('v1.14.0')!.digest);
    assert.equal(world.proxyB.stats.injected.stall, 1);
    assert.ok(took < 30_000, `the pull took ${took} ms`);
    const served = gw.events.filter((e) => e.kind === 'blob' && e.digest === layer);
    assert.deepEqual(served.map((e) => e.status), [200], 'the client asked once');
    // One line says which backend stalled and which setting decided it (it read "Body Timeout Error").
    const said = gw.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyB.host} `));
    assert.equal(said.length, 1, gw.stderr());
    assert.match(said[0]!, /stopped sending midway: no byte for 2 s \(--timeout\)/);
  } finally {
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});
