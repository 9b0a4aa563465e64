// Two backends that are namespaces of one registry (quay.io/cert-manager and quay.io/jetstack)
// before one on another host (loose2): with that registry hung, the hedge asked its other
// namespace beside the silent one, on the same silent host, and the other host only one hedge
// delay later. It now asks the next backend on another host first (serve/hedge.ts), counted at
// each registry's proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, MANIFEST_ACCEPT, type GatewayProcess } from './gateway-process.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { digestOf } from '../../harness/seed.js';
import { runCli } from '../../harness/cli.js';

let world: World;
let gw: GatewayProcess;
const seen = { a: [] as string[], b: [] as string[] };
const counter = (into: string[]): Personality => (ex) => {
  if (/^\/v2\/.+\/manifests\//.test(ex.path)) into.push(`${ex.method} ${ex.path}`);
  return false;
};

before(async () => {
  world = await startWorld({ tags: ['v1.14.0'], platforms: 1, personalitiesA: [counter(seen.a)], personalitiesB: [counter(seen.b)] });
  // A second namespace on A's registry (quay.io/jetstack beside quay.io/cert-manager), mirrored too.
  const targets = [`${world.proxyA.host}/mirror-a`, `${world.proxyA.host}/mirror-a2`, `${world.proxyB.host}/mirror-b`];
  const sync = await runCli(['sync', '-c', await world.config('  healthInterval: 1', { targets }), '-q', '--no-progress'], { env: world.env });
  assert.equal(sync.exitCode, 0, sync.stderr);
  gw = await startGateway(await world.config(`  healthInterval: 120\n  backends: [${targets.join(', ')}]`, { targets }), ['--tag-ttl', '0', '--timeout', '30']);
  await until(async () => (await fetch(`${gw.url}/-/ready`)).status === 200, 'the first probes');
});

after(async () => {
  world?.regA.hang(false);
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

test('the first registry hung: the hedge asks the backend on another host, not the same registry\'s other namespace', { timeout: 240_000 }, async (t) => {
  const img = world.images.get('v1.14.0')!;
  world.regA.hang(true);
  const [a0, b0] = [seen.a.length, seen.b.length];
  const started = Date.now();
  const res = await fetch(`${gw.url}/v2/app/manifests/v1.14.0`, { headers: { accept: MANIFEST_ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = Date.now() - started;
  t.diagnostic(`${res.status} in ${ms} ms; at A ${JSON.stringify(seen.a.slice(a0))}, at B ${JSON.stringify(seen.b.slice(b0))}`);
  assert.equal(res.status, 200);
  assert.equal(digestOf(body), img.digest);
  assert.deepEqual(seen.b.slice(b0), ['GET /v2/mirror-b/app/manifests/v1.14.0'], 'B asked once');
  assert.ok(!seen.a.slice(a0).some((r) => r.includes('/mirror-a2/')), `A's other namespace not asked: ${JSON.stringify(seen.a.slice(a0))}`);
});
