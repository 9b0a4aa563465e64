// HTTP/2 front ends as they really behave, between regmirror and a TLS registry (h2 by ALPN):
// - nginx ends an HTTP/2 connection after `keepalive_requests` streams with a graceful GOAWAY
//   (last-stream-id = the stream it still answers). undici 7 fails every stream in flight on any
//   GOAWAY, answered or not, so with a small limit every attempt died (keepalive_requests 1: the
//   run failed, exit 3, where skopeo pulls fine). Its HTTP/1.1 connections then carry the rest.
// - a stream reset before its headers (RST_STREAM CANCEL or REFUSED_STREAM) reaches undici as
//   UND_ERR_INFO "HTTP/2: stream closed before the response was complete": retried like any reset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as h2 } from 'node:http2';
import type { ServerHttp2Stream } from 'node:http2';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let dir: string;
let mode: 'goaway' | 'cancel' | 'none' = 'none';
let goaways = 0;
let cancels = 0;

const streamOf = (ex: Parameters<Personality>[0]) => (ex.req as unknown as { stream?: ServerHttp2Stream }).stream;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], format: 'oci', platforms: 2, layerBytes: 32 * 1024 });
  // nginx with keepalive_requests 1: GOAWAY(NO_ERROR, last-stream-id = this stream), answer it, close.
  const keepaliveRequests1: Personality = (ex) => {
    const stream = streamOf(ex);
    if (mode !== 'goaway' || !stream) return false;
    goaways++;
    stream.session!.goaway(h2.NGHTTP2_NO_ERROR, stream.id);
    ex.res.once('finish', () => stream.session?.close());
    return false;
  };
  // Every third manifest GET over HTTP/2 is reset before its headers (RST_STREAM CANCEL).
  let manifests = 0;
  const cancel: Personality = (ex) => {
    const stream = streamOf(ex);
    if (mode !== 'cancel' || !stream || ex.method !== 'GET' || !ex.path.includes('/manifests/') || manifests++ % 3 !== 0) return false;
    cancels++;
    stream.close(h2.NGHTTP2_CANCEL);
    return true;
  };
  proxy = await startFaultProxy(source.url, { tls: { ...(await testCerts()).servers.good, http2: true }, upstreamCa: source.caFile, personalities: [keepaliveRequests1, cancel] });
  dir = await scratchDir('h2-frontends');
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

async function syncInto(namespace: string) {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/${namespace}]
registries:
  ${source.host}: { caFile: ${source.caFile} }
  ${target.host}: { caFile: ${target.caFile} }
images:
  - source: ${source.host}/jetstack/app
`, `${namespace}.yaml`);
  return runCli(['sync', '-c', file, '-v', '--no-progress', '--endpoint', `${source.host}=${proxy.url}`]);
}

test('a front end that ends every HTTP/2 connection after one stream (nginx keepalive_requests 1, graceful GOAWAY): the sync finishes', async () => {
  mode = 'goaway';
  const run = await syncInto('goaway');
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(goaways >= 1);
  assert.equal(run.stderr.match(/HTTP\/1\.1 from now on/g)?.length, 1, 'said once, under -v');
  assert.ok(proxy.stats.requests < 60, `no retry storm: ${proxy.stats.requests} requests at the front end`);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/goaway/app:${image.tag}`, target.certDir!), image.digest);
});

test('HTTP/2 streams reset before their headers (RST_STREAM CANCEL) are retried', async () => {
  mode = 'cancel';
  const run = await syncInto('cancel');
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.ok(cancels >= 2, `${cancels} streams reset`);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/cancel/app:${image.tag}`, target.certDir!), image.digest);
});
