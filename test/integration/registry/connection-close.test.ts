// An HTTP/1.1 front end that closes the connection after its answer (`Connection: close` on
// the Nth answer: nginx's keepalive_requests, here N = 1) while regmirror is still reading a
// large blob under backpressure (its upload to the target is slower than the read). undici 7's
// parser, paused by that backpressure, asserted `!this.paused` when the socket ended: an
// AssertionError thrown from a socket event handler that nothing can catch, so the run stopped
// as "internal error" (exit 1) halfway through a copy a re-run would repeat. Fixed upstream in
// undici 8 only (Node 22+); here large answers keep their last bytes flowing (tail-flowing.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let closes = 0;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/big', tags: ['v2.0.0', 'v2.1.0', 'v2.2.0'], format: 'oci', single: true, layerBytes: 6 * 1024 * 1024 });
  // Every answer ends its connection (keepalive_requests 1), the whole body sent at once.
  const closeEach: Personality = async (ex) => {
    const reply = await ex.fetch(ex.method, ex.path, ex.req.headers);
    closes++;
    const headers: Record<string, string | string[] | undefined> = { ...reply.headers, connection: 'close' };
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    ex.res.writeHead(reply.status, headers);
    ex.res.end(ex.method === 'HEAD' ? undefined : reply.body);
    return true;
  };
  proxy = await startFaultProxy(source.url, { tls: (await testCerts()).servers.good, upstreamCa: source.caFile, personalities: [closeEach] });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

test('a front end that closes each HTTP/1.1 connection after its answer, under large blobs: the sync finishes, no internal error', async () => {
  const file = await writeConfig(await scratchDir('connection-close'), oneMirrorYaml(source, target, 'jetstack/big'));
  const run = await runCli(['sync', '-c', file, '--no-progress', '--endpoint', `${source.host}=${proxy.url}`]);
  assert.doesNotMatch(run.stderr, /internal error/);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(closes > 0);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/big:${image.tag}`, target.certDir!), image.digest);
});
