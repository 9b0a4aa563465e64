// A backend's certificate that lapses, or is replaced by one nobody trusts, while the gateway
// keeps a connection to it open: the handshake that connection made is long past, and its
// probes every healthInterval kept it alive for good. The gateway went on calling the backend
// healthy and sending clients there with 307s, where each client's own handshake failed
// ("x509: certificate has expired"; skopeo's whole pull failed), and its log said nothing
// (gateway2 hunt: 70 s and counting after the swap). Each probe now asks over a new connection,
// whose handshake judges the certificate served now: the next backend serves within an interval
// or two, and the log names the backend and its certificate once.
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

test('a certificate that expires under a live connection: the next backend serves, the log says why', { timeout: 180_000 }, async () => {
  const certs = await testCerts();
  // A first: clients are sent to it with 307s, so its certificate is the one they meet.
  const gw = await startGateway(await world.config('  healthInterval: 1', { name: 'lapsed.yaml' }));
  try {
    assert.deepEqual(await servedBy(gw, 'v1.14.0'), { status: 200, backend: world.proxyA.host }, 'A serves while its certificate is good');
    // What a client following a 307 to A now meets on its handshake; the gateway's connection stays open.
    world.proxyA.useCertificate(certs.servers.expired);
    await until(async () => (await servedBy(gw, 'v1.14.0')).backend === world.proxyB.host, 'B to serve once A\'s certificate expired', 30_000);
    const said = gw.stderr().split('\n').filter((l) => l.includes(world.proxyA.host) && /expired/i.test(l));
    assert.equal(said.length, 1, `one line names A and its expired certificate:\n${gw.stderr()}`);
    assert.match(said[0]!, new RegExp(`^warning: backend ${world.proxyA.host}: .*; requests go to the next backend meanwhile, and it is probed again every 1 s$`));
    assert.equal(await skopeoDigest(`${gw.host}/app:v1.14.0`), world.images.get('v1.14.0')!.digest, 'skopeo pulls the recorded digest through the gateway');
    // Renewed: A serves again, without a restart.
    world.proxyA.useCertificate(certs.servers.good);
    await until(async () => (await servedBy(gw, 'v1.14.0')).backend === world.proxyA.host, 'A to serve again once renewed', 60_000);
  } finally {
    assert.equal(await gw.stop(), 0);
  }
});
