// Reading the layouts other projects test with (test/fixtures/thirdparty): go-containerregistry's
// entries name media types their manifests do not have, or carry no tag at all; regclient keeps
// referrers untagged (shown as their fallback tag). Each reads as a registry would serve it, or is
// named for what it is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LayoutRepository } from '../../../src/content/layout/index.js';
import { noTagsError, untaggedWarning } from '../../../src/inventory/untagged.js';
import { NotFoundError } from '../../../src/types/errors.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, parseManifest } from '../../../src/types/mediatype.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { sha256 } from '../../../src/types/digest.js';
import { REPO_ROOT } from '../config/fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

const THIRDPARTY = join(REPO_ROOT, 'test', 'fixtures', 'thirdparty');
const V3_FALLBACK = 'sha256-6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d';
const V3_REFERRERS = ['sha256:819ff4564a5d4a1c07b4e25bbba420cace378d4ed32671e6ee4eea95df1b8c4c', 'sha256:ad460bc30198d65c14708aa6ec4445498243bc642fce8b64ea7ce21ba559cc79'];
const ggcr = (name: string) => new LayoutRepository(join(THIRDPARTY, 'ggcr-layout', name));

describe('third-party layouts', () => {
  it('a tag reads with its manifest\'s own media type, not the one index.json declares', async () => {
    const layout = ggcr('test_index');
    // "1": declared OCI manifest, the bytes say Docker schema 2; "2": declared vnd.oci.descriptor.v1+json.
    for (const tag of ['1', '2']) {
      assert.equal((await layout.fetchManifest(tag)).descriptor.mediaType, DOCKER_MANIFEST, tag);
      assert.equal((await layout.resolve(tag)).mediaType, DOCKER_MANIFEST, tag);
    }
    // "4": declared a Docker manifest list, but the bytes have no mediaType, which Docker requires.
    const four = await layout.fetchManifest('4');
    assert.equal(four.descriptor.mediaType, OCI_INDEX);
    assert.equal(four.descriptor.digest, 'sha256:2b29a2b8dea3af91ea7d0154be1da0c92d55ddd098540930fc8d3db7de377fdb');
    assert.equal((await layout.resolve('3')).mediaType, OCI_INDEX);
  });

  it('bytes without their own mediaType are what their shape says, in OCI terms', () => {
    const list = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    assert.equal(parseManifest(list, DOCKER_MANIFEST_LIST).mediaType, OCI_INDEX);
    const withType = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: [] }));
    assert.equal(parseManifest(withType, OCI_INDEX).mediaType, DOCKER_MANIFEST_LIST);
  });

  it('a layout with only untagged entries says so, naming them, instead of "does the repository exist?"', async () => {
    const err = await noTagsError(ggcr('test_index_one_image'));
    assert.ok(err instanceof NotFoundError);
    assert.match(err.message, /test_index_one_image has no tags: index\.json lists 1 manifest \(sha256:98ceaf93e482…\) without org\.opencontainers\.image\.ref\.name/);
    // Its blob is not even there (go-containerregistry's gc test): still named, not a crash.
    assert.match((await noTagsError(ggcr('test_gc_image_unknown_mediatype'))).message, /lists 1 manifest \(sha256:325899857025…\)/);
  });

  it('a source that is no layout says what it is instead of "does the repository exist?": absent, a file, a folder of layouts', async () => {
    // issuer2 hunt: go-containerregistry's testdata folder named as the source read as a repository to look for.
    assert.match((await noTagsError(new LayoutRepository(join(THIRDPARTY, 'absent')))).message, /absent has no tags: there is no such directory: give the directory a layout was written to/);
    assert.match((await noTagsError(new LayoutRepository(join(THIRDPARTY, 'ggcr-layout', 'LICENSE')))).message, /LICENSE has no tags: it is a file, not a layout directory \(an oci-archive tarball\? unpack it/);
    const folder = (await noTagsError(new LayoutRepository(join(THIRDPARTY, 'ggcr-layout')))).message;
    assert.match(folder, /ggcr-layout has no tags: it is not an OCI layout: it holds no index\.json; layouts are in its subdirectories test_gc_image_unknown_mediatype, test_gc_index, test_index, test_index_media_type, test_index_one_image: name each as a source \(oci:\S+ggcr-layout\/test_gc_image_unknown_mediatype\)$/);
    const empty = await scratchDir('not-a-layout');
    try {
      assert.match((await noTagsError(new LayoutRepository(empty))).message, /has no tags: it is not an OCI layout: it holds no index\.json$/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('an untagged manifest next to tags is named in a warning; untagged referrers are not (they travel)', async () => {
    assert.equal(await untaggedWarning(new LayoutRepository(join(THIRDPARTY, 'regclient-testrepo'))), undefined);
    assert.equal(await untaggedWarning(ggcr('test_index')), undefined);
    const dir = await scratchDir('thirdparty');
    try {
      await cp(join(THIRDPARTY, 'ggcr-layout', 'test_index'), dir, { recursive: true });
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
      index.manifests.push({ mediaType: DOCKER_MANIFEST, size: 423, digest: 'sha256:32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720' });
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
      assert.match(await untaggedWarning(new LayoutRepository(dir)) ?? '', /index\.json also lists 1 manifest \(sha256:325899857025…\) without a tag name, which cannot be mirrored/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a source layout shows untagged referrers under their subject\'s fallback tag; a target does not', async () => {
    const dir = join(THIRDPARTY, 'regclient-testrepo');
    const source = new LayoutRepository(dir, { fallbackTags: true });
    const tags = await source.listTags();
    assert.ok(tags.includes(V3_FALLBACK));
    assert.equal(tags.length, 25, 'the 24 tags of index.json and one fallback tag');
    const fallback = await source.fetchManifest(V3_FALLBACK);
    assert.equal(fallback.descriptor.mediaType, OCI_INDEX);
    assert.equal(fallback.descriptor.digest, sha256(fallback.bytes));
    assert.deepEqual(await source.resolve(V3_FALLBACK), fallback.descriptor);
    const listed = JSON.parse(Buffer.from(fallback.bytes).toString('utf8')) as { manifests: Descriptor[] };
    assert.deepEqual(listed.manifests.map((d) => d.digest), V3_REFERRERS);
    for (const d of listed.manifests) {
      assert.equal(d.mediaType, OCI_MANIFEST);
      assert.equal(typeof d.artifactType, 'string', 'artifactType as the referrers API lists it');
      assert.equal(d.size, (await source.fetchManifest(d.digest)).bytes.byteLength);
    }
    // Built the same way each time (a re-run finds the target in sync), and a real fallback tag wins.
    assert.deepEqual((await new LayoutRepository(dir, { fallbackTags: true }).fetchManifest(V3_FALLBACK)).bytes, fallback.bytes);
    const real = 'sha256-dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e';
    assert.equal((await source.resolve(real)).digest, 'sha256:955b8a891713a806107edb6dd09410233a9e7926584b1d6fd8b7b5342296188b');
    const target = new LayoutRepository(dir);
    assert.equal((await target.listTags()).includes(V3_FALLBACK), false);
    await assert.rejects(target.fetchManifest(V3_FALLBACK), NotFoundError);
  });
});
