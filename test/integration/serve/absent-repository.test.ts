// A quay.io backend answers 401, not 404, for a repository it does not have (after the token
// service issued a token without complaint); the client remembers that so a run does not loop
// re-authenticating. The gateway runs for weeks: it must forget it again, or a repository that a
// later sync puts on that backend is never used (and, with no other backend, 503 until a restart).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { MANIFEST_ACCEPT, servedBy, startGateway, until } from './gateway-process.js';
import { quay } from '../../harness/personalities/quay.js';
import { runCli } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';

let world: World;
const quayB = quay();

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, personalitiesB: [quayB.play] });
});

after(async () => {
  await world?.close();
});


test('a repository absent at a quay.io backend is used once a sync put it there, without a restart', { timeout: 240_000 }, async () => {
  // B (quay.io) first; its repository late/app does not exist yet.
  const config = await world.config('  healthInterval: 1', { name: 'late.yaml', targets: [`${world.proxyB.host}/late`, `${world.proxyA.host}/mirror-a`] });
  const gw = await startGateway(config, ['--tag-ttl', '1']);
  try {
    const first = await servedBy(gw, 'v1.14.0');
    assert.deepEqual(first, { status: 200, backend: world.proxyA.host }, 'B has no late/app: A serves');
    assert.ok(quayB.stats.hidden > 0, 'B answered 401 for the absent repository');
    // A tag no backend has: B's 401 (repository absent) and A's 404 together are a 404, not a 503.
    const missing = await fetch(`${gw.url}/v2/app/manifests/v9.9.9`, { headers: { accept: MANIFEST_ACCEPT } });
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
    // B's probe of the absent repository (a 401) leaves the host up: it answered, its token was granted.
    await until(async () => (await fetch(`${gw.url}/-/ready`).then(async (r) => (await r.arrayBuffer(), r.status))) === 200, 'a probe round');
    assert.doesNotMatch(gw.stderr(), new RegExp(`backend ${world.proxyB.host.replace(/[.]/g, '[.]')} is down`), gw.stderr());
    const sync = await runCli(['sync', '-c', config, '-q', '--no-progress'], { env: world.env });
    assert.equal(sync.exitCode, 0, sync.stderr);
    await until(async () => (await servedBy(gw, 'v1.14.0')).backend === world.proxyB.host, 'the gateway to serve from B', 120_000);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.14.0`), world.images.get('v1.14.0')!.digest);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
