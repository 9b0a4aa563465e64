// The fallback tag's index (OCI 1.1 referrers at a registry without the API): what to write,
// merged with what is there, in a stable order, and nothing when it already lists everything.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fallbackTagOf, listedDigests, planFallbackIndex, referrerDescriptor } from '../../../src/content/fallback-index.js';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { content } from './fixtures.js';

const d = (n: string, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: OCI_MANIFEST, digest: `sha256:${n.repeat(64)}`, size: 10, ...extra });
const written = (plan: ReturnType<typeof planFallbackIndex>) => {
  assert.equal(plan.kind, 'write');
  return JSON.parse(Buffer.from((plan as { bytes: Uint8Array }).bytes).toString('utf8')) as Record<string, unknown> & { manifests: Descriptor[] };
};

describe('planFallbackIndex', () => {
  it('writes a new index of the referrers in digest order, the same bytes whatever order they came in', () => {
    const a = planFallbackIndex(undefined, [d('b'), d('a')]);
    const b = planFallbackIndex(undefined, [d('a'), d('b')]);
    assert.deepEqual(written(a), { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [d('a'), d('b')] });
    assert.deepEqual((a as { bytes: Uint8Array }).bytes, (b as { bytes: Uint8Array }).bytes);
  });

  it('writes nothing when the index there lists them all (a re-run), and nothing for no referrers', () => {
    const first = planFallbackIndex(undefined, [d('a'), d('b')]);
    assert.deepEqual(planFallbackIndex((first as { bytes: Uint8Array }).bytes, [d('b'), d('a')]), { kind: 'current' });
    assert.deepEqual(planFallbackIndex(undefined, []), { kind: 'current' });
  });

  it('keeps entries someone else put there, in their place with their fields, and appends the new ones', () => {
    const theirs = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [d('c', { annotations: { by: 'oras' } }), d('a'), d('c')], annotations: { keep: 'me' } }));
    const out = written(planFallbackIndex(theirs, [d('b'), d('a', { artifactType: 'x' })]));
    assert.deepEqual(out.manifests.map((m) => m.digest), [d('c').digest, d('a').digest, d('b').digest]);
    assert.deepEqual(out.manifests[0]!.annotations, { by: 'oras' });
    assert.equal(out.manifests[1]!.artifactType, undefined, 'an entry already there is not rewritten');
    assert.deepEqual(out.annotations, { keep: 'me' });
  });

  it('leaves a tag that is not an index alone', () => {
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d('e'), layers: [] }));
    assert.equal(planFallbackIndex(image, [d('a')]).kind, 'foreign');
    assert.equal(planFallbackIndex(Buffer.from('not json'), [d('a')]).kind, 'foreign');
    assert.deepEqual(listedDigests(image), []);
  });
});

describe('referrerDescriptor', () => {
  it('describes a referrer as the referrers API does: own type, artifactType (else config type), annotations', () => {
    const sig = content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/x-sig', config: d('e', { mediaType: OCI_EMPTY }), layers: [], annotations: { a: '1' } }));
    assert.deepEqual(referrerDescriptor({ descriptor: sig.desc, bytes: sig.bytes }), { ...sig.desc, artifactType: 'application/x-sig', annotations: { a: '1' } });
    const sbom = content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: d('e', { mediaType: 'application/spdx+json' }), layers: [] }));
    assert.deepEqual(referrerDescriptor({ descriptor: sbom.desc, bytes: sbom.bytes }), { ...sbom.desc, artifactType: 'application/spdx+json' });
    assert.equal(fallbackTagOf(sig.desc.digest), sig.desc.digest.replace('sha256:', 'sha256-'));
  });
});
