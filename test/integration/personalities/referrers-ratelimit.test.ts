// A source with the OCI 1.1 referrers API behind Docker Hub's rate limit: a 429 with
// `ratelimit-limit`/`ratelimit-remaining` on a referrers listing is a rate limit, not ghcr.io's
// "no referrers API". Before, one such 429 (on the first listing, or on any later one) marked the
// host as having no API: the signatures only the API lists were dropped for that tag (or for every
// tag), and sync still exited 0; only a later verify showed `missing-referrers`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { getManifest, seedImage, type SeededImage } from '../../harness/seed.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { referrersApi } from '../../harness/personalities/referrers-api.js';
import { makeKey, pushSignature, signPayload, simpleSigningPayload } from '../../harness/cosign.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let images: SeededImage[];
const signatures = new Map<string, string>(); // subject digest -> signature manifest digest

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  const push = { url: src.url };
  images = await seedImage(push, { repository: 'library/app', tags: ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'], format: 'oci', single: true, layerBytes: 100 });
  const key = makeKey('p256');
  // Signatures by digest only (no fallback tag): only the source's referrers API leads to them.
  for (const img of images) {
    const payload = simpleSigningPayload(img.digest, `${src.host}/library/app`);
    signatures.set(img.digest, await pushSignature(push, 'library/app', { digest: img.digest, mediaType: img.mediaType, size: 0 }, payload, signPayload(payload, key), 'referrer', null));
  }
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

/** Docker Hub's 429 on the `nth` referrers listing only (the limit hit just then). */
function limitReferrersListing(nth: number): Personality {
  let seen = 0;
  return (ex) => {
    if (!/\/referrers\//.test(ex.path) || ++seen !== nth) return false;
    ex.fail(429, 'TOOMANYREQUESTS', 'You have reached your pull rate limit.', { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' });
    return true;
  };
}

for (const nth of [1, 3]) {
  test(`a rate-limited referrers listing (the ${nth === 1 ? 'first' : 'third'}) is waited out, and every signature is copied`, async () => {
    const proxy = await proxyFor(src, { personalities: [limitReferrersListing(nth), referrersApi(src.dataDir).play] });
    try {
      const ns = `n${nth}`;
      const config = await writeConfig(join(await scratchDir('referrers-ratelimit'), ns), `version: 1
defaults:
  targets: [${dst.host}/${ns}]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/library/app
`);
      const run = await runCli(['sync', '-c', config, '--endpoint', `${src.host}=${proxy.url}`, '--no-progress']);
      assert.equal(run.exitCode, 0, run.stderr + run.stdout);
      // The target has no referrers API: each subject's fallback tag must list its signature.
      for (const img of images) {
        const index = await getManifest({ url: dst.url }, `${ns}/app`, img.digest.replace(':', '-'));
        assert.ok(index, `no fallback tag for ${img.tag}`);
        const listed = (JSON.parse(index.bytes.toString('utf8')) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
        assert.deepEqual(listed, [signatures.get(img.digest)], `${img.tag}'s signature`);
      }
    } finally {
      await proxy.close();
    }
  });
}
