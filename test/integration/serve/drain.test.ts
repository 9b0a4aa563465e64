// Kubernetes sends SIGTERM while the pod's endpoints are still being removed from Services and load
// balancers: new connections keep arriving for a few seconds. The gateway stopped accepting at
// once, so skopeo pulling in a loop through it got "connection refused" at its next connection.
// Now /-/ready answers 503 at once, requests (new connections too) are served for
// gateway.shutdownDelay, each answer closing its connection; then the listener closes; exit 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skopeoCopyAll } from '../../harness/skopeo.js';
import { startWorld, type World } from './fixture.js';
import { startGateway, until } from './gateway-process.js';

let world: World;

before(async () => {
  world = await startWorld({ tags: ['v1'], platforms: 2 });
});

after(async () => {
  await world?.close();
});

/** One request on a connection of its own: status and Connection header, or the error's code. */
function fresh(url: string): Promise<{ status: number; connection: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: String(res.headers.connection) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

test('SIGTERM: not ready at once, pulls on new connections served for shutdownDelay, then refused; exit 0', { timeout: 240_000 }, async (t) => {
  const DELAY_S = 20;
  const gw = await startGateway(await world.config(`  healthInterval: 1\n  shutdownDelay: ${DELAY_S}`));
  const want = world.images.get('v1')!.digest;
  await until(async () => {
    const r = await fresh(`${gw.url}/-/ready`);
    return 'status' in r && r.status === 200;
  }, 'ready');
  // skopeo pulls in a loop, each on connections of its own, from before the signal until shortly
  // before the listener is due to close (a margin for a loaded machine).
  let signalledAt: number | undefined;
  const pulls: { at: number; digest?: string; error?: string }[] = [];
  const loop = (async () => {
    for (let i = 0; signalledAt === undefined || Date.now() < signalledAt + (DELAY_S - 8) * 1000; i++) {
      const at = Date.now();
      const dir = join(world.dir, `drain-${i}`);
      try {
        await skopeoCopyAll(`${gw.host}/app:v1`, `oci:${dir}:v1`, { preserveDigests: true });
        const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
        pulls.push({ at, digest: index.manifests[0]!.digest });
      } catch (e) {
        pulls.push({ at, error: e instanceof Error ? e.message : String(e) });
      }
    }
  })();
  await until(() => pulls.length > 0, 'a pull before the signal');
  signalledAt = Date.now();
  const exited = gw.stop();
  await until(() => gw.stderr().includes('SIGTERM:'), 'the gateway to take the signal');
  const ready = await fresh(`${gw.url}/-/ready`);
  assert.deepEqual(ready, { status: 503, connection: 'close' }, 'not ready at once, on a new connection');
  const base = await fresh(`${gw.url}/v2/`);
  assert.deepEqual(base, { status: 200, connection: 'close' }, 'still serving, each answer closing its connection');
  await loop;
  const after = pulls.filter((p) => p.at >= signalledAt!);
  t.diagnostic(`${pulls.length} pulls, ${after.length} started after the signal`);
  assert.ok(after.length > 0, 'a pull started after the signal');
  for (const p of pulls) assert.deepEqual(p, { at: p.at, digest: want }, `every pull got the recorded digest: ${gw.stderr()}`);
  assert.match(gw.stderr(), new RegExp(`SIGTERM: /-/ready answers 503 now; new requests are still served for ${DELAY_S} s \\(gateway\\.shutdownDelay\\)`));
  // Then the listener closes, and the process exits 0.
  await until(async () => 'error' in await fresh(`${gw.url}/v2/`), 'the listener closed', 120_000);
  assert.equal(await exited, 0, gw.stderr());
  assert.match(gw.stderr(), /no new connections; finishing the \d+ requests? in flight \(up to 30 s\)/);
  assert.ok(Date.now() - signalledAt >= DELAY_S * 1000, 'not before the delay');
});
