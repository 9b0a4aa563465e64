// An HTTP/2 front end that ends its answers with trailers (a HEADERS frame after the last DATA:
// gRPC-style gateways, Envoy filters adding checksums). undici 7 completes an HTTP/2 answer on
// its 'trailers' event and drops the DATA the stream still buffered: a large blob read under
// backpressure (its upload to the target is slower than the read) ended short with no error, was
// resumed with Range, and the stream, never ended, kept its connection busy for good: each such
// answer took a connection away from the pool, and the run hung when it closed its pools after
// copying everything (fixed upstream in undici 8 only, which needs Node 22). Large answers now
// keep flowing over their last HTTP/2 stream window, so the trailers come after the last byte
// was taken (tail-flowing.ts).
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
let trailed = 0;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/big', tags: ['v2.0.0', 'v2.1.0'], format: 'oci', single: true, layerBytes: 6 * 1024 * 1024 });
  // Every HTTP/2 answer ends with a trailer (node:http2's compatibility API sends it after the body).
  const withTrailers: Personality = (ex) => {
    if (!(ex.req as unknown as { stream?: unknown }).stream) return false;
    trailed++;
    ex.res.addTrailers({ 'x-checksum': 'sent-after-the-body' });
    return false;
  };
  proxy = await startFaultProxy(source.url, { tls: { ...(await testCerts()).servers.good, http2: true }, upstreamCa: source.caFile, personalities: [withTrailers] });
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

test('an HTTP/2 front end that sends trailers after large blobs: every byte read once, the sync ends', async () => {
  const file = await writeConfig(await scratchDir('h2-trailers'), oneMirrorYaml(source, target, 'jetstack/big'));
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress', '--endpoint', `${source.host}=${proxy.url}`], { timeoutMs: 30_000 });
  assert.equal(run.timedOut, false, `the run hung after its copies: ${run.stderr.split('\n').slice(-3).join(' | ')}`);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(trailed > 0, 'the front end spoke HTTP/2');
  assert.doesNotMatch(run.stderr, /resuming with Range/, 'no blob cut short by its trailers');
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/big:${image.tag}`, target.certDir!), image.digest);
});
