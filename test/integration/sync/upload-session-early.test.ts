// A blob's upload session at a target opens while the blob is read from the source (registry
// upload.ts openUpload): the POST used to wait for the read (its whole bytes, or a large blob's
// answer), a round trip more on each blob's way at a distance (bench/README.md, thirty-ninth
// round). The target here refuses mounts (405), so its blobs are asked by HEAD and uploaded
// through sessions started by a plain POST, as at a registry that ignores mounts; the source holds
// every blob read 1.5 s. Before, no session could start before the first read was answered; now
// they start while the reads are held. Each session is used once (as many POSTs as blob PUTs),
// nothing is retried, and skopeo reads the image's digest at the target.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { oneMirrorYaml, proxyFor } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const HOLD_MS = 1500;
let src: RunningRegistry;
let dst: RunningRegistry;
let pSrc: FaultProxy;
let pDst: FaultProxy;
let image: SeededImage;
/** When each source blob GET arrived, and when each target session start (a POST without mount) did. */
const blobReads: number[] = [];
const sessionStarts: number[] = [];

const holdBlobs: Personality = async (ex) => {
  if (ex.method === 'GET' && /\/blobs\/sha256:/.test(ex.path)) {
    blobReads.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  }
  return false;
};
const refuseMounts: Personality = (ex) => {
  if (ex.method !== 'POST' || !/\/blobs\/uploads\//.test(ex.path)) return false;
  if (ex.path.includes('mount=')) {
    ex.fail(405, 'UNSUPPORTED', 'cross-repository mount is not supported');
    return true;
  }
  sessionStarts.push(Date.now());
  return false;
};

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  pSrc = await proxyFor(src, { personalities: [holdBlobs] });
  pDst = await proxyFor(dst, { personalities: [refuseMounts] });
  // Small blobs (configs, read whole before they are pushed) and large layers (streamed as read).
  [image] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 3, layerBytes: 6 * 1024 * 1024 }) as [SeededImage];
});

after(async () => {
  await Promise.all([pSrc, pDst].map((p) => p?.close()));
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test("a target's upload session opens while its blob is read from the source, and is the one the push uses", async () => {
  const dir = await scratchDir('upload-session-early');
  const config = await writeConfig(dir, oneMirrorYaml(src, dst, 'jetstack/app'));
  const run = await runCli(['sync', '-c', config, '-v', '--endpoint', `${src.host}=${pSrc.url}`, '--endpoint', `${dst.host}=${pDst.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  const firstAnswered = Math.min(...blobReads) + HOLD_MS;
  const early = sessionStarts.filter((t) => t < firstAnswered);
  assert.ok(early.length > 0, `${sessionStarts.length} session starts, none while the reads were held (at ${sessionStarts.map((t) => t - Math.min(...blobReads)).join(', ')} ms of the first read)`);
  const puts = pDst.stats.log.filter((e) => e.method === 'PUT' && /\/blobs\/uploads\//.test(e.path));
  assert.equal(sessionStarts.length, puts.length, 'one session per blob pushed');
  assert.match(run.stderr, /debug: \d+ requests \(.*\), 0 retries/);
  assert.equal(await skopeoDigestVerified(`${dst.host}/mirror/app:v1.0.0`, dst.certDir!), image.digest);
});
