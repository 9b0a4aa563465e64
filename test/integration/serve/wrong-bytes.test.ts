// A backend that serves a blob whose bytes do not hash to its digest (a corrupted mirror, played
// by a fault proxy that flips one byte of that layer every time): the gateway says so once in its
// log, skips that backend for that blob, and the client's next try gets the right bytes from the
// next backend. Both ways a blob leaves the gateway: streamed (B needs a token) and a 307 (A is
// open to anonymous reads, so the client reads A itself and the gateway checks A's bytes after).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { getManifest } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';

let world: World;
let layer: string; // a layer of v1.14.0's first platform, streamed as it comes (small ones: small-wrong-bytes.test.ts)

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, layerBytes: 2 * 1024 * 1024 });
  const child = world.images.get('v1.14.0')!.childDigests[0]!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', child))!.bytes.toString('utf8')) as { layers: { digest: string }[] };
  layer = manifest.layers[0]!.digest;
});

after(async () => {
  await world?.close();
});

/** Every GET of the layer through `proxy` gets one byte flipped. */
function corrupt(proxy: FaultProxy): void {
  proxy.inject({ method: 'GET', path: new RegExp(`/blobs/${layer}$`), times: Infinity, fault: { kind: 'flip' } });
}

/** The log lines that say `host` served the layer of `repo` with wrong bytes. */
const said = (gw: GatewayProcess, host: string, repo: string) => gw.stderr().split('\n').filter((l) => l.includes(`backend ${host} served ${layer} of ${repo} with wrong bytes`));

const layerEvents = (gw: GatewayProcess) => gw.events.filter((e) => e.kind === 'blob' && e.digest === layer);

test('streamed from B with wrong bytes: said once, and the retry is served by A', { timeout: 240_000 }, async (t) => {
  corrupt(world.proxyB);
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'stream.yaml' }), ['--tag-ttl', '0']);
  try {
    // The 200 and all but the last chunk were on their way before the digest could be proven: the
    // download ends short and skopeo 1.9 fails (a client that resumes with Range may carry on).
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/stream:v1.14.0`, { preserveDigests: true }).catch(() => {});
    await until(() => said(gw, world.proxyB.host, 'mirror-b/app').length > 0, 'the log line');
    t.diagnostic(said(gw, world.proxyB.host, 'mirror-b/app')[0]!);
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/stream:v1.14.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/stream:v1.14.0`), world.images.get('v1.14.0')!.digest);
    await until(() => layerEvents(gw).length >= 2, 'the retry\'s event');
    const events = layerEvents(gw);
    assert.deepEqual(events.map((e) => [e.status, e.backend]), [[502, world.proxyB.host], [307, world.proxyA.host]], 'B broke the first, A served the retry');
    assert.equal(said(gw, world.proxyB.host, 'mirror-b/app').length, 1, 'said once');
  } finally {
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});

test('redirected to A with wrong bytes: the gateway finds out, says it once, and the retry is served by B', { timeout: 240_000 }, async () => {
  corrupt(world.proxyA);
  const gw = await startGateway(await world.config('  healthInterval: 30', { name: 'redirect.yaml' }), ['--tag-ttl', '0']);
  try {
    // The client read A's wrong bytes itself: only its own digest check could catch them.
    await assert.rejects(skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/redirect:v1.14.0`, { preserveDigests: true }));
    await until(() => said(gw, world.proxyA.host, 'mirror-a/app').length > 0, 'the gateway to find A\'s bytes wrong');
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/redirect:v1.14.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/redirect:v1.14.0`), world.images.get('v1.14.0')!.digest);
    await until(() => layerEvents(gw).length >= 2, 'the retry\'s event');
    const events = layerEvents(gw);
    assert.deepEqual(events.map((e) => [e.status, e.backend]), [[307, world.proxyA.host], [200, world.proxyB.host]], 'A was tried first, B served the retry');
    const again = await fetch(`${gw.url}/v2/app/blobs/${layer}`, { redirect: 'manual' });
    await again.arrayBuffer();
    assert.equal(again.status, 200, 'still not sent to A');
    assert.equal(said(gw, world.proxyA.host, 'mirror-a/app').length, 1, `said once: ${gw.stderr()}`);
  } finally {
    world.proxyA.clear();
    assert.equal(await gw.stop(), 0);
  }
});
