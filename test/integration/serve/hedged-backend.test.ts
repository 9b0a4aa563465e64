// The first request after a backend hung (SIGSTOP: connections accepted, never answered), before
// its breaker opened, waited its whole deadline (--timeout) before the next backend was asked
// (gateway4 hunt): 5 s a backend by default, 30 s here. The next backend is now asked beside a
// silent one after its hedge delay (1 s here), and its answer taken; a healthy first backend's
// requests ask no other backend (counted at each backend's proxy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { digestOf } from '../../harness/seed.js';

let world: World;
let gw: GatewayProcess;
const seen = { a: [] as string[], b: [] as string[] };
const counter = (into: string[]): Personality => (ex) => {
  if (/^\/v2\/.+\/(manifests|blobs)\//.test(ex.path)) into.push(`${ex.method} ${ex.path}`);
  return false;
};

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2, personalitiesA: [counter(seen.a)], personalitiesB: [counter(seen.b)] });
  // Probes far apart and a long deadline: only the requests below move the breakers.
  gw = await startGateway(await world.config('  healthInterval: 120'), ['--tag-ttl', '0', '--timeout', '30']);
  await until(async () => (await fetch(`${gw.url}/-/ready`)).status === 200, 'the first probes');
});

after(async () => {
  world?.regA.hang(false);
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

async function get(path: string): Promise<{ status: number; ms: number; body: Buffer; logged: string }> {
  const started = Date.now();
  const res = await fetch(`${gw.url}/v2/app/${path}`, { headers: { accept: MANIFEST_ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, ms: Date.now() - started, body, logged: gw.stderr() };
}

test('A hung: the first request after it is answered by B within the hedge delay, not after A\'s deadline; healthy A alone asked', { timeout: 240_000 }, async (t) => {
  const img = world.images.get('v1.14.0')!;
  seen.a.length = 0;
  seen.b.length = 0;
  assert.equal((await get('manifests/v1.14.0')).status, 200);
  assert.equal((await get(`manifests/${img.childDigests[0]}`)).status, 200);
  t.diagnostic(`healthy A: requests at A ${JSON.stringify(seen.a)}, at B ${JSON.stringify(seen.b)}`);
  assert.ok(seen.a.length >= 2);
  assert.deepEqual(seen.b, [], 'a healthy first backend: nothing asked of B');

  world.regA.hang(true);
  const [a0, b0] = [seen.a.length, seen.b.length];
  const hung = await get('manifests/v1.14.0');
  t.diagnostic(`A hung: ${hung.status} in ${hung.ms} ms; at A ${JSON.stringify(seen.a.slice(a0))}, at B ${JSON.stringify(seen.b.slice(b0))}`);
  assert.equal(hung.status, 200);
  assert.equal(digestOf(hung.body), img.digest);
  // Before, B was asked once A's 30 s had passed, and its "gave no answer" line came first.
  assert.doesNotMatch(hung.logged, /gave no answer/, 'answered before A\'s deadline');
  assert.ok(hung.ms < 10_000, `the hedge delay (1 s), not A's deadline (30 s): ${hung.ms} ms`);
  assert.deepEqual(seen.b.slice(b0), ['GET /v2/mirror-b/app/manifests/v1.14.0'], 'B asked once');
  const ofIndex = () => gw.events.filter((e) => e.digest === img.digest);
  await until(() => ofIndex().length >= 2, 'its event');
  assert.equal(ofIndex()[1]!.backend, world.proxyB.host);
  // A blob too: B streams it, proven, while A is silent.
  const blob = await get(`blobs/${img.blobDigests[0]}`);
  assert.equal(blob.status, 200);
  assert.equal(digestOf(blob.body), img.blobDigests[0]);
});
