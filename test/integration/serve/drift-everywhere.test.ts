// Every backend holding a tag at another digest than the recorded one (gateway4 hunt: the source's
// v1.14.0 moved, and both mirrors followed it by hand, the lock still pinning the old digest): the
// moved manifest was rightly never served, but the client read '404 MANIFEST_UNKNOWN app:v1.14.0
// is unknown to every backend', where every backend has the tag, and the gateway's log said
// nothing (only the drift counter moved). The client is now told the tag is at another digest
// than the record everywhere (a 403 DENIED saying so in its status line too: containerd shows a
// 404 as "not found" alone, serve/ctr), and the log says so once, with what to run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { retag } from '../../harness/seed.js';
import { bearerFor } from '../../harness/registry.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0', 'v1.15.0'], platforms: 2 });
  gw = await startGateway(await world.config('  healthInterval: 60'), ['--tag-ttl', '0']);
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

test('a tag at another digest than the recorded one on every backend: never served, and said as drift, not as unknown', { timeout: 120_000 }, async () => {
  const recorded = world.images.get('v1.14.0')!.digest;
  const moved = world.images.get('v1.15.0')!.digest;
  await retag({ url: world.regA.url }, 'jetstack/app', 'v1.15.0', 'v1.14.0');
  await retag({ url: world.regA.url }, 'mirror-a/app', 'v1.15.0', 'v1.14.0');
  await retag({ url: world.regB.url, auth: (scope) => bearerFor(world.regB, scope) }, 'mirror-b/app', 'v1.15.0', 'v1.14.0');
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${gw.url}/v2/app/manifests/v1.14.0`, { headers: { accept: MANIFEST_ACCEPT } });
    const body = await res.text();
    assert.equal(res.status, 403, 'refused, not unknown (containerd shows a 404 as "not found" alone: serve/ctr)');
    assert.equal(res.headers.get('docker-content-digest'), null);
    assert.doesNotMatch(body, /unknown to every backend/);
    assert.match(body, new RegExp(`DENIED.*app:v1.14.0 is not served: every backend that has it holds another digest than the recorded ${recorded}`));
  }
  await until(() => /recorded/.test(gw.stderr()), 'the log line');
  const lines = gw.stderr().split('\n').filter((l) => l.includes('recorded'));
  assert.equal(lines.length, 1, `said once: ${lines.join('\n')}`);
  assert.match(lines[0]!, new RegExp(`^warning: app:v1.14.0: every backend that has it holds another digest than the recorded ${recorded} \\(${world.proxyA.host}/mirror-a/app: ${moved}, ${world.proxyB.host}/mirror-b/app: ${moved}, ${world.proxyA.host}/jetstack/app: ${moved}\\): not served`));
  assert.match(lines[0]!, /: not served; `regmirror verify --lock` shows the move, and `regmirror sync --accept-moved v1\.14\.0` records and mirrors it if it was meant/);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`regmirror_gateway_drift_total\\{image="app",backend="${world.proxyB.host}"\\} 2`));
});
