// Reading the layouts other projects test with (test/fixtures/thirdparty): go-containerregistry's
// entries name media types their manifests do not have, or carry no tag at all; regclient keeps
// referrers untagged. Each must read as a registry would serve it, or be named for what it is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LayoutRepository } from '../../../src/content/layout/index.js';
import { noTagsError, untaggedWarning } from '../../../src/inventory/untagged.js';
import { NotFoundError } from '../../../src/types/errors.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, parseManifest } from '../../../src/types/mediatype.js';
import { REPO_ROOT } from '../config/fixtures.js';

const THIRDPARTY = join(REPO_ROOT, 'test', 'fixtures', 'thirdparty');
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
    assert.match((await noTagsError(new LayoutRepository(join(THIRDPARTY, 'absent')))).message, /has no tags \(does the repository exist\?\)/);
  });

  it('untagged referrers next to tags are named in a warning, with what they refer to', async () => {
    const warning = await untaggedWarning(new LayoutRepository(join(THIRDPARTY, 'regclient-testrepo')));
    assert.match(warning ?? '', /2 manifests \(sha256:819ff4564a5d… a referrer of sha256:6fe828b32b9b…, sha256:ad460bc30198… a referrer of sha256:6fe828b32b9b…\)/);
    assert.equal(await untaggedWarning(ggcr('test_index')), undefined);
  });
});
