// Google Artifact Registry (no PATCH) behind nginx's default 1 MiB body limit (413): a blob over
// the limit cannot be uploaded at all (too large whole, and no chunks), and the run says so for
// its tag; every blob under the limit still goes whole, so a tag made only of those is copied.
// upload2 hunt: the policy stayed chunked after the refused PATCH, so every later blob over the
// largest one taken whole (a 300 KiB layer) was sent as a PATCH, refused, and its tag failed; and
// the refusal ("refused PATCH chunks and a monolithic PUT before"), final by its own words, was
// tried again maxAttempts times (POST + PATCH + HEAD each, with backoff).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { gar } from '../../harness/personalities/gar.js';
import { bodyLimit } from '../../harness/personalities/body-limit.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { MiB, mirrorsYaml, open, seedLarge } from './fixtures.js';

let src: RunningRegistry;
let reg: RunningRegistry;
before(async () => {
  [src, reg] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
});
after(() => Promise.all([src, reg].map((r) => destroyRegistry(r))));

test('behind a 1 MiB body limit, a 2 MiB layer fails its tag once and a tag of smaller blobs is copied', { timeout: 120_000 }, async () => {
  const g = gar();
  const limit = bodyLimit(MiB);
  const proxy = await proxyFor(reg, { personalities: [limit.personality, g.personality] });
  after(() => proxy.close());
  // v1.0.0 (copied first) holds a 2 MiB layer; v1.1.0 only blobs under 1 MiB (a 300 KiB layer).
  await seedLarge(open(src), 'jetstack/app', ['v1.0.0'], 2 * MiB);
  const [small] = await seedImage(open(src), { repository: 'jetstack/app', tags: ['v1.1.0'], format: 'oci', single: true, layerBytes: 300 * 1024 });
  const config = await writeConfig(await scratchDir('gar-body-limit'), mirrorsYaml(src, reg, 'cert-manager', ['jetstack/app']));
  const run = await runCli(['sync', '-c', config, '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '--concurrency', '1']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  // The 413 came from the proxy, not from GAR: the line says where the limit is to be raised.
  assert.match(run.stderr, /v1\.0\.0 → .*refused the blob upload: .*\(413\).*a proxy in front of the registry may limit request bodies \(nginx: client_max_body_size\)/);
  const log = proxy.stats.log.map((e) => `${e.method} ${e.status}`);
  assert.ok(log.indexOf('PUT 413') >= 0 && log.indexOf('PUT 413') < log.lastIndexOf('PUT 201'), 'the small tag was not copied after the refusal: the test proves nothing');
  assert.equal(await skopeoDigest(`${reg.host}/cert-manager/app:v1.1.0`), small!.digest, 'a tag of blobs under the limit is copied');
  // Whole (413), an over-limit chunk (413), a 1 MiB chunk (405): then nothing is left, and no
  // attempt more sends the 2 MiB again (each did, refused, with a HEAD and a backoff).
  assert.deepEqual([log.filter((l) => l === 'PUT 413').length, limit.stats.refused, g.stats.patchesRefused], [1, 2, 1], log.join(', '));
});
