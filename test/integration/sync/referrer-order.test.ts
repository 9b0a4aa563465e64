// A referrer is never written before its subject (SPEC "What a correct copy is"). An OCI 1.1
// artifact found through the source's `sha256-HEX` fallback tag travels as a child of that tag's
// index; only the index waited for the image to be in place, so the artifact (whose `subject`
// names the image) was PUT at the target while the image was still being copied: a registry with
// the referrers API listed it for an image it did not hold, and a run cut there left it dangling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy, Personality } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

/** A manifest PUT as the target saw it: when it arrived and when its answer went out. */
interface Put { ref: string; start: number; end: number }

let src: RunningRegistry;
let dst: RunningRegistry;
let proxy: FaultProxy;
let image: SeededImage;
const puts: Put[] = [];

// Records every manifest PUT (its start and end) and passes it on to the registry.
const recorder: Personality = (ex) => {
  const m = /^\/v2\/.+\/manifests\/([^?]+)$/.exec(ex.path);
  if (ex.method === 'PUT' && m) {
    const put: Put = { ref: decodeURIComponent(m[1]!), start: performance.now(), end: Infinity };
    ex.res.once('finish', () => { put.end = performance.now(); puts.push(put); });
  }
  return false;
};

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  proxy = await proxyFor(dst, { personalities: [recorder] });
  // Big layers: the image takes a while to place, so an early artifact PUT cannot hide.
  [image] = (await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 3, layerBytes: 400_000, ociReferrer: true, signature: true })) as [SeededImage];
});

after(async () => {
  await proxy?.close();
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

test('the OCI referrer under the fallback tag is written only once its subject is in place, like the signature', async () => {
  const cfg = await writeConfig(await scratchDir('referrer-order'), `version: 1
defaults:
  targets: [${dst.host}/mirror]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', cfg, '--endpoint', `${dst.host}=${proxy.url}`]);
  assert.equal(run.exitCode, 0, run.stderr);
  const subject = puts.find((p) => p.ref === 'v1.0.0');
  assert.ok(subject, `no PUT of v1.0.0 among ${puts.map((p) => p.ref).join(', ')}`);
  const referrers = [...image.referrerDigests, ...Object.keys(image.referrerTags)];
  for (const ref of referrers) {
    const put = puts.find((p) => p.ref === ref);
    assert.ok(put, `${ref} was not written`);
    assert.ok(put.start >= subject.end, `${ref} was PUT ${(subject.end - put.start).toFixed(0)} ms before its subject v1.0.0 was in place`);
  }
});
