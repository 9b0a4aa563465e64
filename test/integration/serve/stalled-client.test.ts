// A client that asks for a layer and never reads it (a crashed puller, a hostile one) held its
// download, and the backend connection and slot behind it, for as long as it liked: 130 of them
// made other clients' blobs wait out --timeout and fail over from a healthy backend (hostile
// hunt). The gateway now closes a connection that moves no bytes for --client-timeout; the
// backend is not blamed, and a client that reads gets the layer whole.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { getManifest } from '../../harness/seed.js';

let world: World;
let gw: GatewayProcess;
let layer: string;

before(async () => {
  world = await startWorld({ tags: ['v1'], platforms: 1, layerBytes: 48 * 1024 * 1024 });
  const root = world.images.get('v1')!;
  const manifest = JSON.parse((await getManifest({ url: world.regA.url }, 'jetstack/app', root.childDigests[0] ?? root.digest))!.bytes.toString('utf8')) as { layers: { digest: string }[] };
  layer = manifest.layers[0]!.digest;
  // B first: it wants a token, so the gateway streams its blobs (rather than a 307 to A).
  gw = await startGateway(await world.config(`  healthInterval: 30\n  backends: [${world.proxyB.host}/mirror-b]`), ['--client-timeout', '2']);
});

after(async () => {
  assert.equal(await gw?.stop(), 0);
  await world?.close();
});

/** A raw connection that asks for the layer and never reads a byte of the answer. */
function stalledPull(): Promise<Socket> {
  const { hostname, port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /v2/app/blobs/${layer} HTTP/1.1\r\nHost: ${gw.host}\r\nUser-Agent: stalled\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

test('clients that stop reading a streamed layer are cut off after --client-timeout, the backend not blamed', { timeout: 120_000 }, async () => {
  // A paused socket never reads the gateway's FIN, so the cut is seen at the gateway: each stalled
  // download ends as closed by the client (499), which releases its backend stream.
  const sockets = await Promise.all([stalledPull(), stalledPull(), stalledPull()]);
  await until(() => gw.events.filter((e) => e.kind === 'blob' && e.status === 499).length === 3, 'three stalled downloads cut off (499)');
  for (const s of sockets) s.destroy();
  assert.doesNotMatch(gw.stderr(), /failed a request|is down/, 'a stalled client is not the backend\'s failure');

  const res = await fetch(`${gw.url}/v2/app/blobs/${layer}`);
  assert.equal(res.status, 200);
  assert.equal(`sha256:${createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')}`, layer, 'a client that reads gets the layer whole');
});
