// The OCI layout store: round trip through disk, tags as ref.name, and crash-safe writes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LayoutRepository, REF_NAME, openLayoutRepository } from '../../../src/content/layout/index.js';
import { DigestMismatchError, NotFoundError, SizeLimitError, UnsupportedError } from '../../../src/types/errors.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { buildImage, content, drain, failingStream, pushImage } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

const root = await scratchDir('layout');
after(() => rm(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `layout-${++dirs}`, 'app');
const blobFile = (dir: string, d: Descriptor) => join(dir, 'blobs', 'sha256', d.digest.slice('sha256:'.length));
const readIndexFile = async (dir: string) => JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };

describe('LayoutRepository', () => {
  it('round-trips a multi-arch image through disk, tags as ref.name', async () => {
    const dir = freshDir();
    const repo = openLayoutRepository(dir);
    assert.equal(repo.name, `oci:${dir}`);
    assert.deepEqual(await repo.listTags(), []);
    await assert.rejects(repo.resolve('v1'), NotFoundError);
    const [a, b] = [buildImage('a'), buildImage('b')];
    await pushImage(repo, a, 'v1', 'latest');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    let index = await readIndexFile(dir);
    assert.deepEqual(index.manifests.map((d) => [d.annotations?.[REF_NAME], d.digest]), [['v1', a.index.desc.digest], ['latest', a.index.desc.digest]]);

    await pushImage(repo, b, 'latest');
    index = await readIndexFile(dir);
    assert.deepEqual(index.manifests.map((d) => [d.annotations?.[REF_NAME], d.digest]), [['v1', a.index.desc.digest], ['latest', b.index.desc.digest]]);
    // Untagged child manifests are blobs only, never index entries.
    assert.equal(index.manifests.some((d) => d.mediaType === OCI_MANIFEST), false);

    const reopened = new LayoutRepository(dir);
    assert.deepEqual(await reopened.listTags(), ['latest', 'v1']);
    assert.deepEqual(await reopened.resolve('latest'), { mediaType: OCI_INDEX, digest: b.index.desc.digest, size: b.index.desc.size });
    const fetched = await reopened.fetchManifest('v1');
    assert.deepEqual(Buffer.from(fetched.bytes), a.index.bytes);
    const child = a.manifests[1]!;
    assert.deepEqual(await reopened.resolve(child.desc.digest), { mediaType: OCI_MANIFEST, digest: child.desc.digest, size: child.desc.size });
    const blob = a.blobs[1]!;
    assert.deepEqual(await drain(await reopened.fetchBlob(blob.desc)), blob.bytes);
    assert.equal(await reopened.exists(blob.desc), true);
    assert.equal(await reopened.exists({ ...blob.desc, size: blob.desc.size + 1 }), false);
    assert.equal(await reopened.exists(child.desc), true);
    await assert.rejects(reopened.resolve(blob.desc.digest), NotFoundError); // a blob is not a manifest
    await assert.rejects(reopened.fetchBlob(content(OCI_LAYER_GZIP, 'absent').desc), NotFoundError);
  });

  it('leaves nothing under the digest name when a blob stream fails or lies', async () => {
    const dir = freshDir();
    const repo = new LayoutRepository(dir);
    const layer = content(OCI_LAYER_GZIP, Buffer.alloc(256 * 1024, 7));
    await assert.rejects(repo.pushBlob(layer.desc, failingStream(layer.bytes.subarray(0, 100_000))), /connection reset/);
    await assert.rejects(repo.pushBlob(layer.desc, Readable.from([Buffer.alloc(256 * 1024, 8)])), DigestMismatchError);
    await assert.rejects(repo.pushBlob(layer.desc, Readable.from([layer.bytes.subarray(1)])), SizeLimitError);
    assert.equal(await repo.exists(layer.desc), false);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), []); // temp files cleaned up too
    await repo.pushBlob(layer.desc, Readable.from([layer.bytes]));
    assert.deepEqual(await readFile(blobFile(dir, layer.desc)), layer.bytes);
  });

  it('refuses manifest bytes that do not match and invalid tags', async () => {
    const dir = freshDir();
    const repo = new LayoutRepository(dir);
    const [a, b] = [buildImage('a'), buildImage('b')];
    await pushImage(repo, a);
    await assert.rejects(repo.tag(a.index.desc, b.index.bytes, 'v1'), DigestMismatchError);
    await assert.rejects(repo.tag(a.index.desc, a.index.bytes, 'no/slash'), UnsupportedError);
    assert.deepEqual(await repo.listTags(), []);
  });

  it('keeps every tag when many are written at once, cosign-style tags included', async () => {
    const repo = new LayoutRepository(freshDir());
    const image = buildImage();
    await pushImage(repo, image);
    const sigTag = `${image.index.desc.digest.replace(':', '-')}.sig`;
    const tags = [sigTag, ...Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`)];
    // Two handles on one directory share the lock, as two copies to one target would.
    const other = new LayoutRepository(repo.dir);
    await Promise.all(tags.map((t, i) => (i % 2 ? other : repo).tag(image.index.desc, image.index.bytes, t)));
    assert.deepEqual(await repo.listTags(), [...tags].sort());
    assert.equal((await repo.resolve(sigTag)).digest, image.index.desc.digest);
  });

  it('reads layouts others wrote: extra fields and untagged entries survive a re-tag', async () => {
    const dir = freshDir();
    const image = buildImage();
    await pushImage(new LayoutRepository(dir), image);
    await writeFile(join(dir, 'index.json'), JSON.stringify({
      schemaVersion: 2, manifests: [{ ...image.index.desc, annotations: { other: 'x' } }], annotations: { keep: 'me' },
    }));
    const repo = new LayoutRepository(dir);
    await repo.tag(image.index.desc, image.index.bytes, 'v1');
    const index = await readIndexFile(dir) as { manifests: Descriptor[]; annotations?: Record<string, string> };
    assert.deepEqual(index.annotations, { keep: 'me' });
    assert.equal(index.manifests.length, 2);
    assert.deepEqual(await repo.listTags(), ['v1']);
  });

  it('records a tag under the manifest\'s own media type, not a descriptor that says otherwise', async () => {
    const dir = freshDir();
    const repo = new LayoutRepository(dir);
    const config = content(DOCKER_CONFIG, '{"architecture":"amd64","os":"linux"}');
    const docker = content(DOCKER_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: config.desc, layers: [] }));
    const bare = content(OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [] })); // no mediaType of its own: its shape says OCI
    await repo.pushBlob(config.desc, config.bytes);
    // Descriptors as a parent index (or another tool's index.json) may name them: the wrong way round.
    await repo.tag({ ...docker.desc, mediaType: OCI_MANIFEST }, docker.bytes, 'docker');
    await repo.tag({ ...bare.desc, mediaType: DOCKER_MANIFEST_LIST }, bare.bytes, 'bare');
    const index = await readIndexFile(dir);
    assert.deepEqual(index.manifests.map((d) => [d.annotations?.[REF_NAME], d.mediaType]), [['docker', DOCKER_MANIFEST], ['bare', OCI_INDEX]]);
    assert.equal((await repo.resolve('docker')).mediaType, DOCKER_MANIFEST);
  });

  it('refuses a layout of an unknown major version', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await assert.rejects(new LayoutRepository(dir).listTags(), UnsupportedError);
  });

  it('a tag on bytes that are no manifest fails for that tag, naming it; by digest it is "not found"', async () => {
    const dir = freshDir();
    const repo = new LayoutRepository(dir);
    const blob = content(OCI_LAYER_GZIP, 'just a layer, not a manifest');
    await repo.pushBlob(blob.desc, blob.bytes);
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...blob.desc, mediaType: OCI_MANIFEST, annotations: { [REF_NAME]: 'odd' } }] }));
    await assert.rejects(repo.fetchManifest('odd'), (err) => err instanceof UnsupportedError && /tag odd points at sha256:[0-9a-f]{64}, which is not a manifest/.test(err.message));
    await assert.rejects(repo.fetchManifest(blob.desc.digest), NotFoundError);
  });
});
