// A release pinned by digest (`app:v1.14.0@sha256:…`, as GitOps repositories and digest-pinned
// Helm values write it) is pulled by the index digest alone: containerd HEADs and GETs the index
// by digest, then the platform. The gateway counted those pulls under tag "" ("(by digest)")
// though the lock records that index digest for exactly one tag: pinned pulls vanished from the
// per-release counts. The recorded tag of the digest now names the release.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';

let world: World;
let gw: GatewayProcess;

before(async () => {
  world = await startWorld({ platforms: 2 });
  gw = await startGateway(await world.config('  healthInterval: 1'));
});

after(async () => {
  if (gw) assert.equal(await gw.stop(), 0);
  await world?.close();
});

async function get(method: 'GET' | 'HEAD', ref: string): Promise<number> {
  const res = await fetch(`${gw.url}/v2/app/manifests/${ref}`, { method, headers: { accept: MANIFEST_ACCEPT, 'user-agent': 'containerd/v1.7.2' } });
  await res.arrayBuffer();
  return res.status;
}

test('a pull by the recorded index digest counts for its release', { timeout: 120_000 }, async () => {
  const v14 = world.images.get('v1.14.0')!;
  assert.equal(await get('HEAD', v14.digest), 200);
  assert.equal(await get('GET', v14.digest), 200);
  assert.equal(await get('GET', v14.childDigests[1]!), 200);
  await until(() => gw.events.some((e) => e.kind === 'pull'), 'the pull event');
  const pull = gw.events.find((e) => e.kind === 'pull')!;
  assert.equal(pull.digest, v14.childDigests[1]);
  assert.equal(pull.tag, 'v1.14.0', 'attributed to the release whose recorded digest the client asked for');
  assert.deepEqual(gw.events.filter((e) => e.kind === 'check').map((e) => e.tag), ['v1.14.0', 'v1.14.0']);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /regmirror_gateway_pulls_total\{image="app",tag="v1\.14\.0",backend="[^"]+"\} 1/);
});

test('a platform manifest fetched by digest with no index before it stays unattributed', { timeout: 60_000 }, async () => {
  const v15 = world.images.get('v1.15.0')!;
  const before = gw.events.length;
  const res = await fetch(`${gw.url}/v2/app/manifests/${v15.childDigests[0]}`, { headers: { accept: MANIFEST_ACCEPT, 'user-agent': 'crane/0.19' } });
  await res.arrayBuffer();
  await until(() => gw.events.length > before, 'the event');
  assert.equal(gw.events.at(-1)!.tag, '');
});
