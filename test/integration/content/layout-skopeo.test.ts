// skopeo is the second opinion on our OCI layouts: it reads what we write, and we read what it
// writes (through a real registry), with the same digests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LayoutRepository } from '../../../src/content/layout/index.js';
import { sha256 } from '../../../src/types/digest.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { buildImage, drain, pushImage } from '../../unit/content/fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

describe('OCI layout interop with skopeo', () => {
  let root: string;
  let registry: RunningRegistry;
  const image = buildImage('skopeo');
  const sigTag = `${image.index.desc.digest.replace(':', '-')}.sig`;

  before(async () => {
    root = await scratchDir('layout-skopeo');
    registry = await startRegistry({ tls: true });
    const old = buildImage('old');
    const ours = new LayoutRepository(join(root, 'ours'));
    await pushImage(ours, old, 'v1');
    await pushImage(ours, image, 'v1', sigTag); // re-tag v1 onto the new image
  });
  after(async () => {
    await destroyRegistry(registry);
    await rm(root, { recursive: true, force: true });
  });

  it('skopeo reads a layout we wrote', async () => {
    const dir = join(root, 'ours');
    const raw = await execa('skopeo', ['inspect', '--raw', `oci:${dir}:v1`], { encoding: 'buffer', stripFinalNewline: false });
    assert.equal(sha256(raw.stdout), image.index.desc.digest);
    const sig = await execa('skopeo', ['inspect', '--raw', `oci:${dir}:${sigTag}`], { encoding: 'buffer', stripFinalNewline: false });
    assert.equal(sha256(sig.stdout), image.index.desc.digest);
    const out = join(root, 'dir-copy');
    await execa('skopeo', ['copy', '--all', '--preserve-digests', `oci:${dir}:v1`, `dir:${out}`]);
    assert.equal(sha256(await readFile(join(out, 'manifest.json'))), image.index.desc.digest);
    for (const blob of image.blobs) {
      assert.equal(sha256(await readFile(join(out, blob.desc.digest.slice('sha256:'.length)))), blob.desc.digest);
    }
  });

  it('we read a layout skopeo wrote from a registry, with the same digests', async () => {
    const remote = `docker://${registry.host}/cert-manager/app:v1`;
    await execa('skopeo', ['copy', '--all', '--preserve-digests', '--dest-cert-dir', registry.certDir!, `oci:${join(root, 'ours')}:v1`, remote]);
    const theirsDir = join(root, 'theirs');
    await execa('skopeo', ['copy', '--all', '--preserve-digests', '--src-cert-dir', registry.certDir!, remote, `oci:${theirsDir}:v1`]);

    const theirs = new LayoutRepository(theirsDir);
    assert.deepEqual(await theirs.listTags(), ['v1']);
    const top = await theirs.fetchManifest('v1');
    assert.equal(top.descriptor.digest, image.index.desc.digest);
    assert.deepEqual(Buffer.from(top.bytes), image.index.bytes);
    for (const m of image.manifests) {
      const child = await theirs.fetchManifest(m.desc.digest);
      assert.deepEqual(child.descriptor, { mediaType: m.desc.mediaType, digest: m.desc.digest, size: m.desc.size });
    }
    for (const blob of image.blobs) {
      assert.equal(await theirs.exists(blob.desc), true);
      assert.equal(sha256(await drain(await theirs.fetchBlob(blob.desc))), blob.desc.digest);
    }
  });
});
