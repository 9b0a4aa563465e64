// Amazon ECR's push quirks against a real registry behind the personality: mounts answered with
// an upload session, PATCH answered 201 with a Range that stops advancing, 5 MiB minimum parts,
// no Docker-Content-Digest on manifests, no repository created on push, immutable tags; skopeo
// judges every digest a sync claims.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { digestOf, retag, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { RepositoryMissingError } from '../../../src/types/errors.js';
import type { SyncReport } from '../../../src/report/model.js';
import { testClient } from '../registry/helpers.js';
import { digestDifferences, skopeoRawDigest } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, patternBytes } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

const blob = (seed: string, size: number) => {
  const bytes = patternBytes(seed, size);
  return { bytes, desc: { mediaType: 'application/octet-stream', digest: digestOf(bytes), size } };
};

describe('ECR uploads', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ tls: true });
  });
  after(() => destroyRegistry(reg));

  async function client(chunkBytes: number) {
    const e = ecr({ repositories: ['ecr/app'] });
    const proxy = await proxyFor(reg, { personalities: [e.personality] });
    after(() => proxy.close());
    const c = testClient(reg, undefined, { endpoints: new Map([[reg.host, proxy.url]]), testing: { forceChunkedUploads: true, chunkBytes } });
    after(() => c.close());
    return { repo: c.repository(reg.host, 'ecr/app', 'push'), missing: c.repository(reg.host, 'ecr/absent', 'push'), stats: e.stats };
  }

  it('takes 201 for a PATCH and counts the bytes itself when the Range stops advancing', async () => {
    const { repo, stats } = await client(8 * MiB);
    const b = blob('patch-201', 12 * MiB);
    await repo.pushBlob(b.desc, b.bytes);
    assert.equal(stats.patches, 2, 'an 8 MiB part and the 4 MiB rest');
    const res = await fetch(`${reg.url}/v2/ecr/app/blobs/${b.desc.digest}`);
    assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), b.desc.digest);
  });

  it('grows parts refused as too small to 5 MiB, once for the registry', async () => {
    const { repo, stats } = await client(1 * MiB);
    for (const seed of ['small-1', 'small-2']) {
      const b = blob(seed, 12 * MiB);
      await repo.pushBlob(b.desc, b.bytes);
      const res = await fetch(`${reg.url}/v2/ecr/app/blobs/${b.desc.digest}`);
      assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), b.desc.digest);
    }
    assert.equal(stats.shortPartsRefused, 1);
  });

  it('grows the parts when the short last part after a short one is refused (bigblobs hunt: a 4.1 MiB layer in 4 MiB parts)', async () => {
    // ECR refuses the part after one under 5 MiB; here that is the last one, of 100 KiB. Read as
    // a refusal of the last part's own size (which cannot grow), it failed the blob: 'it refused
    // PATCH chunks of 104857 bytes (400) and no other chunk size is left to try'.
    const { repo, stats } = await client(4 * MiB);
    const b = blob('short-last', 4 * MiB + 104_857);
    await repo.pushBlob(b.desc, b.bytes);
    assert.equal(stats.shortPartsRefused, 1);
    const res = await fetch(`${reg.url}/v2/ecr/app/blobs/${b.desc.digest}`);
    assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), b.desc.digest);
  });

  it('names the repository to create when the registry does not create it on push', async () => {
    const { missing } = await client(8 * MiB);
    const b = blob('absent', 1024);
    await assert.rejects(missing.pushBlob(b.desc, b.bytes), (e: unknown) => {
      assert.ok(e instanceof RepositoryMissingError);
      assert.match(e.message, new RegExp(`^${reg.host}: repository ecr/absent does not exist .*aws ecr create-repository --repository-name ecr/absent`));
      return true;
    });
  });
});

describe('ECR: a sync', () => {
  let src: RunningRegistry;
  let target: RunningRegistry;
  before(async () => {
    [src, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    const common = { sharedBaseBytes: 4096, baseSeed: 'distroless', platforms: 2 } as const;
    await seedImage(open(src), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.0.1'], format: 'oci', signature: true, ...common });
    await retag(open(src), 'jetstack/app', 'v1.0.1', 'latest');
    await seedImage(open(src), { repository: 'jetstack/other', tags: ['v2.0.0'], format: 'docker', attestation: true, ...common });
    await seedImage(open(src), { repository: 'jetstack/missing', tags: ['v3.0.0'], format: 'oci', single: true });
  });
  after(() => Promise.all([src, target].map((r) => destroyRegistry(r))));

  it('mounts, hashes manifests itself, names the missing repository, and never re-PUTs an immutable tag', async () => {
    const e = ecr({ repositories: ['cert-manager/app', 'cert-manager/other'] });
    const proxy = await proxyFor(target, { personalities: [e.personality] });
    after(() => proxy.close());
    const dir = await scratchDir('ecr');
    const config = await writeConfig(dir, mirrorsYaml(src, target, 'cert-manager', ['jetstack/app', 'jetstack/other', 'jetstack/missing']));
    const sync = (n: number) => runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--report', join(dir, `r${n}.json`)]);
    const rows = async (n: number) => ((JSON.parse(await readFile(join(dir, `r${n}.json`), 'utf8')) as SyncReport).results).flatMap((r) => r.targets.map((t) => ({ ...t, tag: r.tag })));

    const first = await sync(1);
    assert.equal(first.exitCode, 1, 'the missing repository fails its tag; the rest is copied');
    const failed = (await rows(1)).filter((t) => t.action === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.detail, /cert-manager\/missing does not exist .*aws ecr create-repository --repository-name cert-manager\/missing/);
    assert.ok((await rows(1)).filter((t) => t.action === 'copied').length >= 4);
    assert.ok(e.stats.mountsAnsweredWithSession > 0, 'a mount was answered with an upload session');
    assert.ok(e.stats.manifestAnswersWithoutDigest > 0);
    for (const repo of ['app', 'other']) {
      const { wrong } = await digestDifferences(src, `jetstack/${repo}`, [[target, `cert-manager/${repo}`]]);
      assert.deepEqual(wrong, []);
    }

    e.create('cert-manager/missing');
    const second = await sync(2);
    assert.equal(second.exitCode, 0, second.stderr + second.stdout);
    assert.deepEqual((await digestDifferences(src, 'jetstack/missing', [[target, 'cert-manager/missing']])).wrong, []);

    proxy.resetStats();
    const third = await sync(3);
    assert.equal(third.exitCode, 0, third.stderr + third.stdout);
    assert.deepEqual(proxy.stats.log.filter((x) => x.method === 'PUT'), [], 'nothing is written when everything matches');
    assert.equal(e.stats.tagPutsRefused, 0, 'no tag was ever PUT twice');
    const verify = await runCli(['verify', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress']);
    assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);

    // A moved source tag cannot be retargeted on an immutable repository: that tag fails, saying
    // what to do there (a rerun alone fails the same way), and the tag keeps its digest.
    const before = await skopeoRawDigest(target, 'cert-manager/app', 'v1.0.0');
    await retag(open(src), 'jetstack/app', 'v1.0.1', 'v1.0.0');
    const forced = await runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--force', '--report', join(dir, 'r4.json')]);
    assert.equal(forced.exitCode, 1, forced.stderr + forced.stdout);
    const refused = (await rows(4)).filter((t) => t.action === 'failed');
    assert.deepEqual(refused.map((t) => t.tag), ['v1.0.0']);
    assert.match(refused[0]!.detail, /tag v1\.0\.0: the registry refuses to move it \(400 TAG_INVALID: The image tag 'v1\.0\.0' already exists .* immutable\.\): its tags are immutable, so v1\.0\.0 keeps the digest it has there; to retarget it, delete the tag at that registry \(ECR: aws ecr batch-delete-image --image-ids imageTag=v1\.0\.0\) or make the repository's tags mutable, then run sync --force again$/);
    assert.equal(e.stats.tagPutsRefused, 1);
    assert.equal(await skopeoRawDigest(target, 'cert-manager/app', 'v1.0.0'), before);
  });

  it('a tag PUT whose answer was lost is refused on its retry as immutable: the tag is read back at the source digest and counted copied', async () => {
    const e = ecr({ repositories: ['lost/app'] });
    const proxy = await proxyFor(target, { personalities: [e.personality] });
    after(() => proxy.close());
    // Forwarded and done by the registry, answered 504 by a gateway that gave up waiting.
    proxy.inject({ method: 'PUT', path: /\/lost\/app\/manifests\/v1\.0\.0$/, times: 1, fault: { kind: 'lost', status: 504 } });
    const dir = await scratchDir('ecr-lost');
    const config = await writeConfig(dir, mirrorsYaml(src, target, 'lost', ['jetstack/app']));
    const sync = await runCli(['sync', '-c', config, '--tag', 'v1.0.0', '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--report', join(dir, 'r.json')]);
    assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
    assert.equal(e.stats.tagPutsRefused, 1, 'the retried tag PUT was refused as immutable');
    const rows = (JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as SyncReport).results.flatMap((r) => r.targets);
    assert.deepEqual(rows.map((t) => t.action), ['copied']);
    assert.equal(await skopeoRawDigest(target, 'lost/app', 'v1.0.0'), await skopeoRawDigest(src, 'jetstack/app', 'v1.0.0'));
  });
});
