// What the gateway's log says about its backends, so an operator can trust it at 3 a.m.
//
// A backend whose manifests answer (so its probes pass) while its blobs fail: a storage outage
// behind a registry, or a front end that breaks or stalls blob streams midway. Clients are served
// from the next backend, but the log said nothing at all (only probes were logged): the failover
// counter was the one trace. Now one line names the host and the reason, once, not per request.
//
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
  // B first: the gateway streams its blobs (it wants a token); A is the next backend.
  gw = await startGateway(await world.config(`  healthInterval: 1\n  backends: [${world.proxyB.host}/mirror-b]`));
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

test('blobs failing at a backend whose probes pass: one log line naming it, clients served by the next', { timeout: 120_000 }, async () => {
  world.proxyB.inject({ path: /\/blobs\//, times: Infinity, fault: { kind: 'status', status: 503 } });
  const blobs = world.images.get('v1')!.blobDigests;
  for (let round = 0; round < 3; round++) {
    for (const digest of blobs) {
      const res = await fetch(`${gw.url}/v2/app/blobs/${digest}`, { redirect: 'manual' });
      await res.arrayBuffer();
      assert.ok(res.status === 200 || res.status === 307, `served by the next backend: ${res.status}`);
    }
  }
  const lines = () => gw.stderr().split('\n').filter((l) => l.includes(`backend ${world.proxyB.host} failed a request`));
  await until(() => lines().length > 0, 'the line about B');
  assert.equal(lines().length, 1, `once, not per request: ${gw.stderr()}`);
  assert.match(lines()[0]!, /503/, 'with the reason');
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`regmirror_gateway_failovers_total\\{backend="${world.proxyB.host}"\\} [1-9]`));
  world.proxyB.clear();
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

test('a backend flapping is said flapping once, not down and back at every turn', { timeout: 180_000 }, async () => {
  // gateway5 hunt: a backend killed and restarted every 2 s for 5 minutes: 72 lines "is down" / "is back".
  const from = gw.stderr().length;
  const since = () => gw.stderr().slice(from).split('\n');
  const answered = (status: number) => probes().filter((e) => e.status === status).length;
  for (let turn = 0; turn < 5; turn++) {
    const failed = answered(502);
    world.proxyB.inject({ path: /^\/v2\//, times: Infinity, fault: { kind: 'status', status: 502 } });
    await until(() => answered(502) > failed, `turn ${turn}: a probe failed`);
    world.proxyB.clear();
    const ok = answered(200);
    await until(() => answered(200) > ok, `turn ${turn}: a probe passed`);
  }
  const downs = since().filter((l) => l.includes(`backend ${world.proxyB.host} is down`));
  const backs = since().filter((l) => l.includes(`backend ${world.proxyB.host} is back`));
  const flapping = since().filter((l) => l.includes(`backend ${world.proxyB.host} is flapping`));
  assert.ok(downs.length <= 2 && backs.length <= 2, `not at every turn: ${gw.stderr().slice(from)}`);
  assert.equal(flapping.length, 1, `one line says it flaps: ${gw.stderr().slice(from)}`);
  assert.match(flapping[0]!, /down \d+ times in the last 10 min \(now: .*502.*\); requests go to the next backend/);
  await until(async () => (await (await fetch(`${gw.url}/metrics`)).text()).includes(`regmirror_gateway_backend_healthy{backend="${world.proxyB.host}"} 1`), 'B healthy again');
});
