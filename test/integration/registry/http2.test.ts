// Issue 9 (HTTP/2): through a proxy that speaks HTTP/2 over TLS, a stream reset (RST_STREAM) is
// retried like a connection reset, and so is a session ended by GOAWAY; skopeo checks the digests.
// Blob uploads larger than one flow-control window go to an HTTP/2 registry over HTTP/1.1 (pool.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { startFaultProxy, type FaultProxy, type Personality } from '../../harness/fault-proxy.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';
import { constants as h2 } from 'node:http2';
import type { ServerHttp2Stream } from 'node:http2';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let images: SeededImage[];
let file: string;
const versions = new Set<string>();
let goaways = 0;
let goawayOn: RegExp | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, layerBytes: 256 * 1024 });
  const seen: Personality = (ex) => { versions.add(ex.req.httpVersion); return false; };
  // Ends the whole HTTP/2 session (GOAWAY, then closed) under the first request matching goawayOn.
  const goaway: Personality = (ex) => {
    if (!goawayOn?.test(ex.path)) return false;
    goawayOn = undefined;
    goaways++;
    const session = (ex.req as unknown as { stream: ServerHttp2Stream }).stream.session!;
    session.goaway(h2.NGHTTP2_INTERNAL_ERROR);
    session.destroy();
    return true;
  };
  proxy = await startFaultProxy(source.url, { tls: { ...(await testCerts()).servers.good, http2: true }, upstreamCa: source.caFile, personalities: [seen, goaway] });
  file = await writeConfig(await scratchDir('h2'), oneMirrorYaml(source, target, 'jetstack/app'));
});

after(async () => {
  await proxy?.close();
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

test('HTTP/2 stream resets (RST_STREAM) on manifests and blobs are retried; the sync finishes over h2', async () => {
  proxy.inject({ method: 'GET', path: /\/manifests\//, times: 2, fault: { kind: 'reset' } });
  proxy.inject({ method: 'GET', path: /\/blobs\/sha256:/, times: 2, fault: { kind: 'reset' } });
  const run = await runCli(['sync', '-c', file, '-v', '--no-progress', '--endpoint', `${source.host}=${proxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(proxy.stats.injected.reset, 4);
  assert.deepEqual([...versions], ['2.0'], 'every request reached the proxy over HTTP/2');
  assert.match(run.stderr, /\b([4-9]|\d\d+) retries\b/);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/app:${image.tag}`, target.certDir!), image.digest);
});

test('a GOAWAY that ends the HTTP/2 session mid-run is retried on a new session', async () => {
  proxy.clear();
  goawayOn = /\/manifests\//;
  const file2 = file.replace(/mirrors\.yaml$/, 'mirrors-goaway.yaml');
  await writeFile(file2, (await readFile(file, 'utf8')).replace(/\/mirror\]/, '/goaway]'));
  const run = await runCli(['sync', '-c', file2, '-v', '--no-progress', '--endpoint', `${source.host}=${proxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(goaways, 1);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/goaway/app:${image.tag}`, target.certDir!), image.digest);
});

test('to an HTTP/2 registry, blob uploads over 64 KiB go on HTTP/1.1 connections and everything else on HTTP/2', async () => {
  const split = file.replace(/mirrors\.yaml$/, 'mirrors-split.yaml');
  await writeFile(split, (await readFile(file, 'utf8')).replace(/\/mirror\]/, '/split]'));
  const run = await runCli(['sync', '-c', split, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  const lines = (await readFile(target.logPath, 'utf8')).split('\n').filter((l) => /"[A-Z]+ \/v2\/split\//.test(l));
  const uploads = lines.filter((l) => /"PUT \/v2\/split\/app\/blobs\/uploads\//.test(l));
  const h1 = lines.filter((l) => l.includes('HTTP/1.1'));
  assert.ok(h1.length > 0 && h1.every((l) => uploads.includes(l)), `only blob uploads on HTTP/1.1:\n${h1.join('\n')}`);
  assert.ok(uploads.some((l) => l.includes('HTTP/2.0')), 'the small config blobs still go over HTTP/2');
  assert.ok(lines.filter((l) => /"PUT \/v2\/split\/app\/manifests\//.test(l)).every((l) => l.includes('HTTP/2.0')), 'manifests over HTTP/2');
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/split/app:${image.tag}`, target.certDir!), image.digest);
});
