// engine: skopeo with a layout source checks the tag first: absent, moved, or of an index.json
// media type skopeo 1.9 skips (go-containerregistry's test layouts) is said before skopeo runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { layoutTagDigest } from '../../../src/engines/skopeo-layout.js';
import { NotFoundError, UnsupportedError } from '../../../src/types/errors.js';
import { REPO_ROOT } from '../config/fixtures.js';
import { rm, writeFile } from 'node:fs/promises';
import { LayoutRepository, REF_NAME } from '../../../src/content/layout/index.js';
import { OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { scratchDir } from '../../harness/scratch.js';

const TEST_INDEX = join(REPO_ROOT, 'test', 'fixtures', 'thirdparty', 'ggcr-layout', 'test_index');

describe('layoutTagDigest', () => {
  it('names the digest of a tag skopeo can read', async () => {
    assert.equal(await layoutTagDigest(TEST_INDEX, '1'), 'sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650');
    assert.equal(await layoutTagDigest(TEST_INDEX, '3'), 'sha256:05f95b26ed10668b7183c1e2da98610e91372fa9f510046d4ce5812addad86b5');
  });

  it('refuses, for that tag, an entry type skopeo skips, saying to use the native engine', async () => {
    for (const tag of ['2', '4']) {
      await assert.rejects(layoutTagDigest(TEST_INDEX, tag), (err) => err instanceof UnsupportedError && new RegExp(`cannot read tag ${tag}, .*use engine: native`).test(err.message));
    }
    await assert.rejects(layoutTagDigest(TEST_INDEX, 'absent'), NotFoundError);
  });

  it('refuses a tag index.json names twice at two digests (skopeo would copy the first, others the last); the same digest twice is one tag', async () => {
    const dir = await scratchDir('dup-tag');
    try {
      const entry = (digest: string) => ({ mediaType: OCI_MANIFEST, digest, size: 2, annotations: { [REF_NAME]: '1.0.0' } });
      const [a, b] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
      await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry(a), entry(b)] }));
      await assert.rejects(layoutTagDigest(dir, '1.0.0'), (err) => err instanceof UnsupportedError && err.message.includes(`index.json names tag 1.0.0 more than once, at ${a} and ${b}`));
      await assert.rejects(new LayoutRepository(dir).resolve('1.0.0'), (err) => err instanceof UnsupportedError && /more than once/.test(err.message));
      await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry(a), entry(a)] }));
      assert.equal(await layoutTagDigest(dir, '1.0.0'), a);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

