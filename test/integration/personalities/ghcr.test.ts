// ghcr.io in front of a real token-auth registry with anonymous pull: an anonymous source that
// still needs a token, a referrers endpoint that is no API (a redirect to an HTML page, or 429),
// and tag pages in ghcr's own order, paged by `last=` in that order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { listTags, retag, seedImage, type SeededImage } from '../../harness/seed.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ghcr, ghcrOrder } from '../../harness/personalities/ghcr.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoRawManifest } from '../../harness/skopeo.js';
import { createHash } from 'node:crypto';
import { adminPush } from '../reliability/helpers.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry; // token auth, anonymous pull: like ghcr.io
let dst: RunningRegistry;
let dir: string;
let images: SeededImage[];
let extraTags: string[];

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ auth: 'token', anonymousPull: true, tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('ghcr');
  images = await seedImage(adminPush(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1', 'v1.0.2'], format: 'oci', platforms: 2, signature: true, ociReferrer: true });
  // 120 more tags so the list takes two pages, in an order that is not lexical.
  extraTags = Array.from({ length: 120 }, (_, i) => `v0.9.${i}`);
  for (const tag of extraTags) await retag(adminPush(src), 'jetstack/app', 'v1.0.0', tag);
});

after(async () => {
  await Promise.all([src, dst].map((r) => r && destroyRegistry(r)));
});

// The digest of the bytes skopeo reads at the target: the independent judge.
const digestAt = async (reg: RunningRegistry, repo: string, tag: string) => `sha256:${createHash('sha256').update(await skopeoRawManifest(`${reg.host}/${repo}:${tag}`)).digest('hex')}`;

for (const mode of ['redirect', '429'] as const) {
  describe(`referrers endpoint answering ${mode === 'redirect' ? 'a redirect to an HTML page' : '429'}`, () => {
    let proxy: FaultProxy;
    const personality = ghcr({ referrers: mode });
    const name = mode === '429' ? 'too-many' : 'redirected';
    const repo = `cert-manager/${name}`;
    before(async () => {
      proxy = await proxyFor(src, { personalities: [personality.play] });
    });
    after(() => proxy.close());

    it('copies anonymously, with every tag and the fallback-tag referrers, and verify agrees', async () => {
      const file = await writeConfig(join(dir, mode), `version: 1
defaults:
  targets: [${dst.host}/cert-manager]
${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
    name: ${name}
`);
      const endpoints = ['--endpoint', `${src.host}=${proxy.url}`];
      const run = await runCli(['sync', '-c', file, ...endpoints, '-v'], {});
      assert.equal(run.exitCode, 0, run.stderr + run.stdout);
      assert.doesNotMatch(run.stderr, /answers 429/, 'a referrers 429 slowed the registry down');
      assert.match(run.stderr, new RegExp(`${src.host}: no referrers API \\(GET \\S+ answered ${mode === '429' ? '429 application/json' : '302 text/html'}\\): using the sha256-HEX fallback tags`));
      assert.ok(personality.stats.referrerProbes >= 1, 'the referrers endpoint was never asked');
      assert.equal(personality.stats.htmlPages, 0, 'the redirect to the HTML page was followed');
      assert.ok(personality.stats.pages >= 2, `${personality.stats.pages} tag pages`);
      const expected = [...images.map((i) => i.tag), ...extraTags, ...images.flatMap((i) => Object.keys(i.referrerTags))].sort();
      assert.deepEqual((await listTags({ url: dst.url }, repo)).sort(), expected);
      for (const image of images) {
        assert.equal(await digestAt(dst, repo, image.tag), image.digest, image.tag);
        for (const [tag, digest] of Object.entries(image.referrerTags)) assert.equal(await digestAt(dst, repo, tag), digest, tag);
      }
      const verify = await runCli(['verify', '-c', file, ...endpoints], {});
      assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
    });
  });
}

it('the ghcr order played here is not lexical (so the test above pages out of order)', () => {
  const tags = ['v1.0.0', 'v1.0.1', 'v1.0.2', ...Array.from({ length: 20 }, (_, i) => `v0.9.${i}`)];
  assert.notDeepEqual(ghcrOrder(tags), [...tags].sort());
});
