// A real HAProxy offering h2 by ALPN with tune.h2.initial-window-size 0 in front of the target:
// it answers every bodiless request over HTTP/2, but a stream never gets the window to send its
// body in, so each manifest PUT and small blob upload over HTTP/2 waits for HAProxy's timeout
// server (504), attempt after attempt, where HTTP/1.1 (and skopeo, which speaks it) passes at once.
// After the first such 504 the host's request bodies go over HTTP/1.1, said once in a warning.
// With a front end that waits longer than regmirror's answer timeout (60 s), that timeout ends the
// stalled request, which Node's own stream timeout never did on a busy HTTP/2 session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let front: RunningHaproxy;
let patient: RunningHaproxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  // timeout server 3s: HAProxy's 504 for a body that never came, sooner than its default 60 s.
  [front, patient] = await Promise.all([
    startHaproxy(dst, { global: ['tune.h2.initial-window-size 0'], defaults: ['timeout server 3s'] }),
    startHaproxy(dst, { global: ['tune.h2.initial-window-size 0'], defaults: ['timeout server 150s'] }),
  ]);
  // Small blobs only: their uploads, as the manifests, go over HTTP/2 (over 64 KiB: HTTP/1.1 by design).
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], format: 'oci', platforms: 2, layerBytes: 16 * 1024 });
  dir = await scratchDir('haproxy-h2-window');
});

after(async () => {
  await Promise.all([front?.close(), patient?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('HAProxy whose HTTP/2 gives request bodies no window: after its first 504 the host\'s bodies go over HTTP/1.1 and the sync finishes', { timeout: 180_000 }, async () => {
  const config = await writeConfig(dir, oneMirrorYaml(src, [front, { maxAttempts: 3 }], 'jetstack/app'));
  const run = await runCli(['sync', '-c', config]);
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 0, output);
  assert.equal(output.match(/offered HTTP\/2 by ALPN but a (PUT|POST|PATCH) sent over it got no answer from the registry behind it \(504 Gateway Timeout; HAProxy does with tune\.h2\.initial-window-size 0\): request bodies go over HTTP\/1\.1 from now on; `http2: false` under registries: 127\.0\.0\.1:\d+ says so at the start/g)?.length, 1, output);
  // One wait for HAProxy's timeout (the requests in flight then), not one per body and attempt:
  // the stalled bodies are at most the host's request slots (3 × the default concurrency of 8).
  const logged = await front.requests();
  const stalled = logged.filter((r) => r.status === 504);
  assert.ok(stalled.length >= 1 && stalled.length <= 24, JSON.stringify(stalled));
  assert.ok(stalled.every((r) => r.protocol === 'HTTP/2.0'), JSON.stringify(stalled));
  assert.ok(logged.some((r) => r.method === 'PUT' && r.status === 201 && r.protocol === 'HTTP/1.1'), JSON.stringify(logged));
  for (const image of images) assert.equal(await skopeoDigestVerified(`${front.host}/mirror/app:${image.tag}`, front.certDir), image.digest, image.tag);
});

test('the same HAProxy waiting 150 s for the registry: regmirror\'s answer timeout (60 s) ends the stalled request, and the sync finishes', { timeout: 400_000 }, async () => {
  const config = await writeConfig(dir, oneMirrorYaml(src, [patient, { maxAttempts: 3 }], 'jetstack/app', 'patient'), 'patient.yaml');
  const run = await runCli(['sync', '-c', config]);
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 0, output);
  assert.equal(output.match(/offered HTTP\/2 by ALPN but a (PUT|POST|PATCH) sent over it got no answer from the registry behind it \(no headers within 60 s; HAProxy does/g)?.length, 1, output);
  // regmirror ended the stalled requests (HAProxy logs them as closed by the client, C…), not
  // HAProxy's timeout server (504, sH…).
  const logged = await patient.requests();
  assert.ok(logged.some((r) => r.protocol === 'HTTP/2.0' && r.termination.startsWith('C')), JSON.stringify(logged));
  assert.ok(!logged.some((r) => r.status === 504), JSON.stringify(logged));
  for (const image of images) assert.equal(await skopeoDigestVerified(`${patient.host}/patient/app:${image.tag}`, patient.certDir), image.digest, image.tag);
});
