// Large blobs from a registry that offers HTTP/2 (distribution over TLS does) are read over
// HTTP/1.1. A blob that streams is read at the pace of its uploads, and over HTTP/2 each such
// paused download held its whole stream window (8 MiB, pool-limits.ts), each on a connection of its own
// (undici's pool), then its last window flowing (tail-flowing.ts, against undici 7's trailers bug):
// 24 layers of 40 MiB copied to a target taking 8 MB/s peaked at 391 MB of RSS where HTTP/1.1
// held 200 (the README's target is under 200 MB). Over HTTP/1.1 a paused download holds what
// TCP buffers plus the last MiB. Small blobs and manifests stay on HTTP/2; the source's access
// log says which protocol carried each GET. A front end that speaks only HTTP/2 (ALPN h2 alone)
// refuses those HTTP/1.1 connections: its large blobs then go over HTTP/2, as before, where they
// failed with "it speaks only HTTP/2" (the gateway's streamed blobs, read over HTTP/1.1, did too).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { connect, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { testCerts } from '../../harness/tls.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';

let source: RunningRegistry;
let target: RunningRegistry;
let images: SeededImage[];
let h2only: Http2SecureServer;
let h2onlyHost: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'jetstack/big', tags: ['v1.0.0'], format: 'oci', single: true, layerBytes: 6 * 1024 * 1024 });
  // The HTTP/2-only front end: every request passed on to the source over one HTTP/2 session.
  const upstream = connect(source.url, { ca: readFileSync(source.caFile!) });
  const good = (await testCerts()).servers.good;
  h2only = createSecureServer({ cert: readFileSync(good.cert), key: readFileSync(good.key), allowHTTP1: false }, (req, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith(':')));
    const up = upstream.request({ ...headers, ':method': req.method, ':path': req.url });
    req.pipe(up);
    up.once('response', (h) => {
      res.writeHead(Number(h[':status']), Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(':'))));
      up.pipe(res);
    });
    up.once('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => h2only.listen(0, '127.0.0.1', resolve));
  h2onlyHost = `127.0.0.1:${(h2only.address() as AddressInfo).port}`;
  h2only.once('close', () => upstream.close());
});

after(async () => {
  await new Promise((resolve) => (h2only ? h2only.close(resolve) : resolve(undefined)));
  await Promise.all([source && destroyRegistry(source), target && destroyRegistry(target)]);
});

test('a large blob from an HTTP/2 registry is read over HTTP/1.1, its manifests over HTTP/2', async () => {
  const file = await writeConfig(await scratchDir('h2-large-blobs'), oneMirrorYaml(source, target, 'jetstack/big'));
  const run = await runCli(['sync', '-c', file, '--no-progress']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/mirror/big:${image.tag}`, target.certDir!), image.digest);
  // Access log lines: "GET /v2/jetstack/big/blobs/sha256:… HTTP/2.0" 200 6291456
  const gets = (await readFile(source.logPath, 'utf8')).split('\n').filter((l) => l.includes('"GET /v2/jetstack/big/'));
  const large = gets.filter((l) => l.includes('/blobs/') && Number(/" 200 (\d+)/.exec(l)?.[1]) > 4 * 1024 * 1024);
  const manifests = gets.filter((l) => l.includes('/manifests/'));
  assert.ok(manifests.length > 0 && manifests.every((l) => l.includes('HTTP/2.0')), `the manifests' reads (HTTP/2 offered):\n${manifests.join('\n')}`);
  assert.equal(large.length, 1, `the layer read once:\n${gets.join('\n')}`);
  assert.match(large[0]!, /HTTP\/1\.1"/, 'the large layer read over HTTP/1.1');
});

test('a front end that speaks only HTTP/2: its large blob is read over HTTP/2, the sync copies', async () => {
  const file = await writeConfig(await scratchDir('h2-large-blobs'), oneMirrorYaml({ host: h2onlyHost, caFile: source.caFile! }, target, 'jetstack/big', 'only'));
  const run = await runCli(['sync', '-c', file, '--no-progress', '-v']);
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.match(run.stderr, /it speaks only HTTP\/2 \(ALPN\); large reads go over HTTP\/2/);
  for (const image of images) assert.equal(await skopeoDigestVerified(`${target.host}/only/big:${image.tag}`, target.certDir!), image.digest);
});
