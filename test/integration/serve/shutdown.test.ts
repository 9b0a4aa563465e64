// SIGTERM while a client is still downloading a large streamed blob and reads nothing more (a
// slow or stuck client): the gateway stops accepting, waits out its grace period, cuts that
// client off, and exits 0 as SPEC says. The cut request's event (a 499) used to be written after
// the events file was closed: "internal error: write after end" and exit 1; then it said 502 and
// the backend's name, blaming a healthy backend for the shutdown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWorld, type World } from './fixture.js';
import { startGateway } from './gateway-process.js';

let world: World;

before(async () => {
  // One platform with a 24 MiB layer: more than the sockets between gateway and client can hold.
  world = await startWorld({ tags: ['v1'], platforms: 1, layerBytes: 24 * 1024 * 1024 });
});

after(async () => {
  await world?.close();
});

test('SIGTERM with a stalled client download in flight: exit 0 after the grace period, its event written', { timeout: 180_000 }, async () => {
  // B first: it wants a token, so the gateway streams the bytes itself (A would be a 307).
  const gw = await startGateway(await world.config(`  healthInterval: 1\n  events: ./events.ndjson\n  backends: [${world.proxyB.host}/mirror-b]`));
  const v1 = world.images.get('v1')!;
  // The layer is the largest blob; its digest is the last of the image's blobs the seed lists.
  const layer = v1.blobDigests.at(-1)!;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${gw.url}/v2/app/blobs/${layer}`, resolve).on('error', reject);
  });
  assert.equal(res.statusCode, 200);
  // The client reads one chunk and then nothing: the gateway's write stays pending.
  await new Promise((r) => res.once('data', r));
  res.pause();
  const cut = new Promise<void>((resolve) => {
    res.once('close', () => resolve());
    res.once('error', () => resolve());
  });
  const started = Date.now();
  const code = await gw.stop();
  assert.equal(code, 0, `serve exits 0 on SIGTERM: ${gw.stderr()}`);
  assert.ok(Date.now() - started < 60_000, 'the grace period ends the stuck download');
  assert.doesNotMatch(gw.stderr(), /internal error/);
  assert.match(gw.stderr(), /1 request still in flight 30 s after the gateway stopped accepting: cut off now/, 'the log says a download was cut');
  res.resume();
  await cut;
  assert.equal(res.complete, false, 'the client was cut off, not sent a short blob as if whole');
  const events = (await readFile(join(world.dir, 'events.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; digest: string; status: number; backend: string; cutOff?: string });
  const blob = events.find((e) => e.kind === 'blob' && e.digest === layer);
  assert.ok(blob, 'the cut download is counted');
  // Cut off by the shutdown, never a 200, and not B's failure: it said 502 (or 499) with B's name,
  // which `report stats` counted against a healthy backend.
  assert.equal(blob.status, 503, JSON.stringify(blob));
  assert.equal(blob.cutOff, 'shutdown');
  assert.equal(blob.backend, world.proxyB.host, 'where its bytes came from');
});
