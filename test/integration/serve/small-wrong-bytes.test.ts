// A small blob (an image config, a signature's payload) that one backend serves with wrong bytes:
// the gateway reads it whole and proves it before its 200 goes out, so the client is served by the
// next backend in the same request and never sees the damage. Streamed as large blobs are, the
// held last chunk was the whole of a config: the client got headers and then EOF, and skopeo's
// whole pull failed although A held the right bytes (chaos hunt, seeds 36 and 62).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until } from './gateway-process.js';
import { skopeoCopyAll, skopeoDigest } from '../../harness/skopeo.js';
import { getManifest } from '../../harness/seed.js';

let world: World;
let config: string; // v1.14.0's first platform's config blob

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2 });
  const child = world.images.get('v1.14.0')!.childDigests[0]!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', child))!.bytes.toString('utf8')) as { config: { digest: string } };
  config = manifest.config.digest;
});

after(async () => {
  await world?.close();
});

test('a config streamed from B with wrong bytes: the same request is served by A, and skopeo\'s first pull succeeds', { timeout: 240_000 }, async () => {
  // B needs a token, so the gateway streams B's blobs; every GET of the config there is damaged.
  world.proxyB.inject({ method: 'GET', path: new RegExp(`/blobs/${config}$`), times: Infinity, fault: { kind: 'flip' } });
  const gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`, { name: 'small.yaml' }), ['--tag-ttl', '0']);
  try {
    await skopeoCopyAll(`${gw.host}/app:v1.14.0`, `oci:${world.dir}/small:v1.14.0`, { preserveDigests: true });
    assert.equal(await skopeoDigest(`oci:${world.dir}/small:v1.14.0`), world.images.get('v1.14.0')!.digest);
    const said = () => gw.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyB.host} served ${config} of mirror-b/app with wrong bytes`));
    await until(() => said().length > 0, 'the log line');
    assert.equal(said().length, 1, 'said once');
    const events = gw.events.filter((e) => e.kind === 'blob' && e.digest === config);
    assert.deepEqual(events.map((e) => [e.status, e.backend]), [[307, world.proxyA.host]], 'one request, answered from A');
  } finally {
    world.proxyB.clear();
    assert.equal(await gw.stop(), 0);
  }
});
