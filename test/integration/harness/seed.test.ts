// The seeder builds images that skopeo (an independent client) reads back with the same digests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { bearerFor, destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { deleteManifest, getManifest, getManifestDigest, listTags, retag, seedImage, type PushTarget, type SeededImage } from '../../harness/seed.js';
import { skopeoCopyAll, skopeoDigest, skopeoListTags, skopeoRawManifest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

const FULL = { platforms: 5, signature: true, attestation: true, ociReferrer: true } as const;

describe('seedImage against a plain registry', () => {
  let reg: RunningRegistry;
  let target: PushTarget;
  let work: string;
  before(async () => {
    reg = await startRegistry({ tls: true });
    target = { url: reg.url };
    work = await scratchDir('seed-test');
  });
  after(async () => {
    await destroyRegistry(reg);
    await rm(work, { recursive: true, force: true });
  });

  for (const format of ['docker', 'oci'] as const) {
    describe(`${format} format`, () => {
      let seeded: SeededImage[];
      const repository = `seed/${format}-app`;
      before(async () => { seeded = await seedImage(target, { repository, tags: ['v1.0.0', 'v1.1.0'], format, ...FULL }); });

      it('returns one distinct 5-platform image per tag', () => {
        assert.equal(seeded.length, 2);
        assert.notEqual(seeded[0]!.digest, seeded[1]!.digest);
        assert.equal(seeded[0]!.childDigests.length, 5);
        assert.equal(seeded[0]!.mediaType, format === 'docker' ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json');
      });

      it('skopeo sees the digests seedImage returned, for images and referrer tags', async () => {
        for (const image of seeded) {
          assert.equal(await skopeoDigest(`${reg.host}/${repository}:${image.tag}`), image.digest);
          assert.equal(Object.keys(image.referrerTags).length, 3);
          for (const [tag, digest] of Object.entries(image.referrerTags)) {
            assert.equal(sha256(await skopeoRawManifest(`${reg.host}/${repository}:${tag}`)), digest);
          }
        }
      });

      it('lists the image and referrer tags (seed and skopeo agree)', async () => {
        const expected = seeded.flatMap((s) => [s.tag, ...Object.keys(s.referrerTags)]).sort();
        assert.deepEqual([...await listTags(target, repository)].sort(), expected);
        assert.deepEqual(await skopeoListTags(`${reg.host}/${repository}`), expected);
      });

      it('builds an OCI referrer whose subject is the image, listed by the fallback tag', async () => {
        const image = seeded[0]!;
        const artifact = await getManifest(target, repository, image.referrerDigests[0]!);
        assert.equal(JSON.parse(artifact!.bytes.toString()).subject.digest, image.digest);
        const fallback = await getManifest(target, repository, image.digest.replace(':', '-'));
        assert.deepEqual(JSON.parse(fallback!.bytes.toString()).manifests.map((m: { digest: string }) => m.digest), image.referrerDigests);
      });

      it('skopeo copy --all to dir: accepts every layer and config', async () => {
        const dir = join(work, `${format}-copy`);
        await skopeoCopyAll(`${reg.host}/${repository}:v1.0.0`, `dir:${dir}`);
        const files = await readdir(dir);
        assert.equal(sha256(await readFile(join(dir, 'manifest.json'))), seeded[0]!.digest);
        for (const blob of seeded[0]!.blobDigests) assert.ok(files.includes(blob.slice('sha256:'.length)), `missing ${blob}`);
        // Every layer is a real gzip'd tar (system tar lists it) whose uncompressed digest is the config's diff_id.
        for (const child of seeded[0]!.childDigests) {
          const manifest = JSON.parse((await readFile(join(dir, `${child.slice(7)}.manifest.json`))).toString()) as { config: { digest: string }; layers: { digest: string }[] };
          const config = JSON.parse((await readFile(join(dir, manifest.config.digest.slice(7)))).toString()) as { rootfs: { diff_ids: string[] } };
          const diffIds: string[] = [];
          for (const layer of manifest.layers) {
            const path = join(dir, layer.digest.slice(7));
            diffIds.push(sha256(gunzipSync(await readFile(path))));
            assert.match((await execa('tar', ['-tzf', path])).stdout, /^seed\/[0-9a-f]{16}\.bin$/);
          }
          assert.deepEqual(config.rootfs.diff_ids, diffIds);
        }
      });
    });
  }

  it('is deterministic and shares base layers across images built with one baseSeed', async () => {
    const spec = { tags: ['a'], format: 'oci' as const, platforms: 2, sharedBaseBytes: 4096, baseSeed: 'distroless' };
    const [first] = await seedImage(target, { ...spec, repository: 'seed/det-one' });
    const [again] = await seedImage(target, { ...spec, repository: 'seed/det-one' });
    const [other] = await seedImage(target, { ...spec, repository: 'seed/det-two' });
    assert.equal(first!.digest, again!.digest);
    assert.notEqual(first!.digest, other!.digest);
    const shared = first!.blobDigests.filter((d) => other!.blobDigests.includes(d));
    assert.equal(shared.length, 2); // one base layer per platform
  });

  it('single, retag, getManifestDigest and deleteManifest work on a plain registry', async () => {
    const [image] = await seedImage(target, { repository: 'seed/single', tags: ['v1'], format: 'docker', single: true });
    assert.equal(image!.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(await skopeoDigest(`${reg.host}/seed/single:v1`), image!.digest);
    assert.equal(await retag(target, 'seed/single', 'v1', 'latest'), image!.digest);
    assert.equal(await getManifestDigest(target, 'seed/single', 'latest'), image!.digest);
    await deleteManifest(target, 'seed/single', 'latest');
    assert.equal(await getManifestDigest(target, 'seed/single', 'v1'), undefined);
  });
});

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('seedImage with authentication', () => {
  const started: RunningRegistry[] = [];
  after(async () => { await Promise.all(started.map((r) => destroyRegistry(r))); });

  it('pushes with Basic credentials to an htpasswd registry, and skopeo reads it with --creds', async () => {
    const reg = await startRegistry({ tls: true, auth: 'htpasswd' });
    started.push(reg);
    const [user, password] = Object.entries(reg.users)[0]!;
    const [image] = await seedImage({ url: reg.url, auth: { username: user, password } }, { repository: 'auth/basic', tags: ['v1'], format: 'oci', platforms: 2, signature: true });
    assert.equal(await skopeoDigest(`${reg.host}/auth/basic:v1`, { creds: `${user}:${password}` }), image!.digest);
    await assert.rejects(seedImage({ url: reg.url }, { repository: 'auth/basic', tags: ['v2'], format: 'oci', platforms: 1 }), /401/);
  });

  it('pushes with per-scope bearer tokens to a token-auth registry', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    started.push(reg);
    const auth = (scope: string) => bearerFor(reg, scope);
    const [image] = await seedImage({ url: reg.url, auth }, { repository: 'auth/token', tags: ['v1'], format: 'docker', platforms: 2, ociReferrer: true });
    assert.deepEqual((await listTags({ url: reg.url, auth }, 'auth/token')).sort(), [image!.digest.replace(':', '-'), 'v1'].sort());
    const [user, password] = Object.entries(reg.users)[0]!;
    assert.equal(await skopeoDigest(`${reg.host}/auth/token:v1`, { creds: `${user}:${password}` }), image!.digest);
  });
});
