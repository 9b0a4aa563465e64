// A real HAProxy (TLS, h2) in front of each registry with `http-request deny` rules users write:
// the referrers endpoint refused (403, HAProxy's HTML page) hides the API, as good as a registry
// without it: the copy goes on with the sha256-HEX fallback tags, and a warning says why. PATCH
// refused (403) stops engine: skopeo, whose blob uploads are PATCH, not the native engine's: the
// line says a front end refused it, not the credentials.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let hSrc: RunningHaproxy;
let hDst: RunningHaproxy;
let noPatch: RunningHaproxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  const deny = { frontend: ['http-request deny if { path_reg ^/v2/.*/referrers/ }'] };
  [hSrc, hDst, noPatch] = await Promise.all([startHaproxy(src, deny), startHaproxy(dst, deny), startHaproxy(dst, { frontend: ['http-request deny if { method PATCH }'] })]);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', single: true });
  dir = await scratchDir('haproxy-deny');
});

after(async () => {
  await Promise.all([hSrc?.close(), hDst?.close(), noPatch?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('HAProxy denying the referrers endpoint (403): sync and verify go on with the fallback tags and say why', async () => {
  const config = await writeConfig(dir, oneMirrorYaml(hSrc, hDst, 'jetstack/app'));
  const sync = await runCli(['sync', '-c', config]);
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  assert.match(sync.stderr, new RegExp(`warning: ${hSrc.host}: a proxy or load balancer in front of it refuses the referrers API .*403 Forbidden, an HTML page.*fallback tags`));
  const verify = await runCli(['verify', '-c', config]);
  assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
  assert.ok((await hSrc.requests()).some((r) => r.status === 403 && r.uri.includes('/referrers/')), 'HAProxy refused no referrers request: the test proves nothing');
  for (const image of images) {
    assert.equal(await skopeoDigestVerified(`${hDst.host}/mirror/app:${image.tag}`, hDst.certDir), image.digest, image.tag);
  }
});

test('HAProxy denying PATCH (403): engine: skopeo says a front end refused its uploads, not the credentials; the native engine copies', async () => {
  const config = await writeConfig(dir, oneMirrorYaml(hSrc, noPatch, 'jetstack/app', 'skopeo').replace('defaults:\n', 'defaults:\n  engine: skopeo\n'), 'skopeo.yaml');
  const skopeo = await runCli(['sync', '-c', config]);
  const output = skopeo.stderr + skopeo.stdout;
  assert.equal(skopeo.exitCode, 1, output);
  assert.match(output, /StatusCode: 403, <html>.* \(a proxy or load balancer in front of the registry refused the request with its own 403 page, not the registry's answer, so credentials are not at fault; have it let the request through: it refused a blob upload, which skopeo sends as PATCH; `engine: native`/);
  assert.doesNotMatch(output, /check that the credentials/);
  const native = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(hSrc, noPatch, 'jetstack/app', 'native'), 'native.yaml')]);
  assert.equal(native.exitCode, 0, native.stderr + native.stdout);
  for (const image of images) {
    assert.equal(await skopeoDigestVerified(`${noPatch.host}/native/app:${image.tag}`, noPatch.certDir), image.digest, image.tag);
  }
});
