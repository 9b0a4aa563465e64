// A backend's certificate expires while the gateway runs (the renewal job failed at 2 a.m.) and is
// renewed an hour later. A run believes a refused certificate for good; the gateway runs for
// weeks and must ask again, or the renewed backend is never used until someone restarts it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { servedBy, startGateway, until } from './gateway-process.js';
import { testCerts } from '../../harness/tls.js';
import { skopeoDigest } from '../../harness/skopeo.js';

let world: World;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2 });
});

after(async () => {
  await world?.close();
});


test('a backend whose certificate expired is used again once it is renewed, without a restart', { timeout: 240_000 }, async () => {
  const certs = await testCerts();
  // B first: while its certificate is good, B serves.
  const config = await world.config('  healthInterval: 1', { name: 'renewed.yaml', targets: [`${world.proxyB.host}/mirror-b`, `${world.proxyA.host}/mirror-a`] });
  world.proxyB.useCertificate(certs.servers.expired);
  const gw = await startGateway(config, ['--tag-ttl', '1']);
  try {
    const first = await servedBy(gw, 'v1.14.0');
    assert.deepEqual(first, { status: 200, backend: world.proxyA.host }, 'B refused (expired certificate): A serves');
    const said = gw.stderr().split('\n').filter((l) => l.includes(world.proxyB.host) && /expired/i.test(l));
    assert.ok(said.length >= 1, `one line names B and its expired certificate:\n${gw.stderr()}`);
    // Said as the gateway's other backend lines are: it fails over, it has not failed.
    assert.match(said[0]!, new RegExp(`^warning: backend ${world.proxyB.host}: .*; requests go to the next backend meanwhile, and it is probed again every 1 s$`), gw.stderr());
    world.proxyB.useCertificate(certs.servers.good);
    await until(async () => (await servedBy(gw, 'v1.14.0')).backend === world.proxyB.host, 'the gateway to serve from B again', 120_000);
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.14.0`), world.images.get('v1.14.0')!.digest);
    // Said once while it was refused, not once per request or probe.
    const lines = gw.stderr().split('\n').filter((l) => l.includes(world.proxyB.host) && /expired/i.test(l));
    assert.ok(lines.length <= 2, `the refusal is said once, not per request:\n${lines.join('\n')}`);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
