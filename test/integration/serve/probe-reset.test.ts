// A front end that recycles its connections (nginx's keepalive_requests, an HTTP/2 GOAWAY, a
// keep-alive socket closed just as the probe went out) cuts a probe now and then. The gateway's
// client tries each request once, so one cut probe said "backend HOST is down" and, a round later,
// "is back": a false alarm in the operator's log and a breaker opened for nothing. A probe cut at
// the connection is now asked again once; a backend refusing every probe is still said down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ tags: ['v1'], platforms: 1 });
  gw = await startGateway(await world.config(`  healthInterval: 1\n  backends: [${world.proxyB.host}/mirror-b]`));
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

const probes = () => world.proxyB.stats.log.filter((e) => e.method === 'HEAD' && e.path.includes('/manifests/'));
const downLines = () => gw.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyB.host} is down`));

test('a probe cut once at the connection is asked again, not logged as an outage', { timeout: 60_000 }, async () => {
  const before = probes().length;
  world.proxyB.inject({ method: 'HEAD', path: /\/manifests\//, times: 1, fault: { kind: 'reset' } });
  await until(() => probes().length >= before + 3, 'the cut probe, its second ask and the next round');
  assert.ok(probes().some((e) => e.status === 0), 'the proxy did cut a probe');
  assert.deepEqual(downLines(), [], `no false outage: ${gw.stderr()}`);
  assert.doesNotMatch(gw.stderr(), /is back/);
});

test('a backend whose probes are cut every time is still said down', { timeout: 60_000 }, async () => {
  world.proxyB.inject({ method: 'HEAD', path: /\/manifests\//, times: Infinity, fault: { kind: 'reset' } });
  await until(() => downLines().length > 0, 'the line saying B is down');
  world.proxyB.clear();
  await until(() => gw.stderr().includes(`backend ${world.proxyB.host} is back`), 'the line saying B is back');
});
