// Every backend hung (SIGSTOP: connections accepted, never answered) once the gateway knows them
// down (gateway3 hunt): each request asked them in turn, a deadline each, so a blob's 503 took 15 s
// and a tag's 20 s, and skopeo's copy failed after 30 s; a backend that came back was reached only
// after the hung ones before it had had their deadline. Known down, they are now asked at once:
// the 503 comes within one deadline, and a backend back answers at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 2 });
  // Probes far apart: the breakers stay as the requests leave them.
  gw = await startGateway(await world.config('  healthInterval: 60'), ['--tag-ttl', '0']);
});

after(async () => {
  world?.regA.hang(false);
  world?.regB.hang(false);
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

async function timed(path: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${gw.url}/v2/app/${path}`, { headers: { accept: MANIFEST_ACCEPT } });
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - started };
}

test('every backend hung: a 503 within one deadline, and the first backend back answers at once', { timeout: 180_000 }, async (t) => {
  const img = world.images.get('v1.14.0')!;
  assert.equal((await timed('manifests/v1.14.0')).status, 200);
  world.regA.hang(true);
  world.regB.hang(true);
  const first = await timed(`blobs/${img.blobDigests[0]}`);
  t.diagnostic(`the first request, the backends not yet known down: ${first.status} in ${first.ms} ms`);
  assert.equal(first.status, 503);
  const known = await timed(`blobs/${img.blobDigests[1]}`);
  t.diagnostic(`known down: ${known.status} in ${known.ms} ms`);
  assert.equal(known.status, 503);
  // Three backends in turn took three deadlines (15 s); at once, one. The bound leaves a slow machine 7 s.
  assert.ok(known.ms < 12_000, `one deadline (5 s), not one per backend: ${known.ms} ms`);
  world.regB.hang(false);
  const logged = gw.stderr().length;
  const back = await timed(`manifests/${img.childDigests[0]}`);
  t.diagnostic(`B back, A still hung and first in order: ${back.status} in ${back.ms} ms`);
  assert.equal(back.status, 200);
  // Asked in turn, A (first in order) had its deadline before B was asked, and said so.
  assert.doesNotMatch(gw.stderr().slice(logged), /gave no answer/, 'B answered without waiting out A');
  await until(() => gw.events.some((e) => e.digest === img.childDigests[0]), 'its event');
  assert.equal(gw.events.find((e) => e.digest === img.childDigests[0])?.backend, world.proxyB.host);
});
