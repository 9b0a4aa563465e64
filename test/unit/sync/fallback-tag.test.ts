// The fallback tag sync writes at a destination without the referrers API (memory stores have
// none): written once, left alone when current, counted but not written when planning, a
// conflict when the tag is not an index, and never rebuilt when the source has it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../../src/content/memory.js';
import { CopyLedger } from '../../../src/copy/ledger.js';
import { emptyTally } from '../../../src/copy/tally.js';
import { emptyReferrerOutcome, type ReferrerJob, type ReferrerOutcome } from '../../../src/sync/referrer-job.js';
import { updateFallbackTags } from '../../../src/sync/fallback-tag.js';
import type { Repository } from '../../../src/content/storage.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { content } from '../content/fixtures.js';

const subject: Descriptor = { mediaType: OCI_INDEX, digest: `sha256:${'5'.repeat(64)}`, size: 100 };
const tag = `sha256-${'5'.repeat(64)}`;
const config = content(OCI_EMPTY, '{}');

/** A referrer artifact `n` pushed to `dst` (an index may list only manifests the registry holds). */
async function referrer(dst: Repository, n: string): Promise<Descriptor> {
  const m = content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: `application/x-${n}`, config: config.desc, layers: [], subject }));
  await dst.pushBlob(config.desc, config.bytes);
  await dst.pushManifest(m.desc, m.bytes);
  return { ...m.desc, artifactType: `application/x-${n}` };
}

function job(dst: Repository, opts: { dryRun?: boolean; sourceTags?: string[] } = {}): ReferrerJob {
  return {
    ctx: { src: new MemoryRepository('src'), ledger: new CopyLedger(), dryRun: opts.dryRun },
    copyTag: async () => new Map(),
    sourceTags: new Set(opts.sourceTags ?? []),
    targetTags: new Map([[dst, undefined]]),
    overwrite: false,
  };
}

async function run(j: ReferrerJob, dst: Repository, referrers: Descriptor[]): Promise<ReferrerOutcome> {
  const out = emptyReferrerOutcome(emptyTally());
  await updateFallbackTags(j, subject, new Map([[dst, referrers]]), new Map([[dst, out]]));
  return out;
}

describe('updateFallbackTags', () => {
  it('writes the index once; a second run finds it current and writes nothing', async () => {
    const dst = new MemoryRepository('dst');
    const [a, b] = [await referrer(dst, 'a'), await referrer(dst, 'b')];
    const first = await run(job(dst), dst, [b, a]);
    assert.deepEqual([first.copied, first.present, first.errors, first.tally.manifests], [1, 0, [], 1]);
    const written = await dst.fetchManifest(tag);
    assert.equal(written.descriptor.mediaType, OCI_INDEX);
    assert.deepEqual((JSON.parse(Buffer.from(written.bytes).toString('utf8')) as { manifests: Descriptor[] }).manifests, [a, b].sort((x, y) => (x.digest < y.digest ? -1 : 1)));
    const second = await run(job(dst), dst, [a, b]);
    assert.deepEqual([second.copied, second.present], [0, 1]);
    assert.equal((await dst.fetchManifest(tag)).descriptor.digest, written.descriptor.digest);
  });

  it('plans without writing, and leaves alone what the source tags itself', async () => {
    const dst = new MemoryRepository('dst');
    const a = await referrer(dst, 'a');
    const planned = await run(job(dst, { dryRun: true }), dst, [a]);
    assert.equal(planned.copied, 1);
    assert.deepEqual(await dst.listTags(), []);
    const theirs = await run(job(dst, { sourceTags: [tag] }), dst, [a]);
    assert.deepEqual([theirs.copied, theirs.present], [0, 0]);
    assert.deepEqual(await dst.listTags(), []);
  });

  it('a tag of that name that is not an index is a conflict, left as it is', async () => {
    const dst = new MemoryRepository('dst');
    const image = content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: config.desc, layers: [] }));
    const a = await referrer(dst, 'a');
    await dst.tag(image.desc, image.bytes, tag);
    const out = await run(job(dst), dst, [a]);
    assert.equal(out.copied, 0);
    assert.ok(out.conflicts[0]?.startsWith(`${tag} holds a ${OCI_MANIFEST} manifest, not an OCI image index`), out.conflicts[0]);
    assert.equal((await dst.resolve(tag)).digest, image.desc.digest);
  });
});
