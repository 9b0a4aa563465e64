// verify --deep of a tag a target lacks: whether the source itself holds every part of it. A source
// whose storage lost a blob (a garbage collection, a bucket's lifecycle rule) was audited as
// `missing … run regmirror sync` at every target, and that sync then failed on BLOB_UNKNOWN at the
// source (verify5). The row stays `missing` (the target lacks the tag: drift), its detail names what
// the source lacks, and the advice says to repair the source first (report/source-lacks.ts).
import type { ManifestContent } from '../content/storage.js';
import { NotFoundError } from '../types/errors.js';
import { splitForeign } from '../types/foreign.js';
import { parseManifest } from '../types/mediatype.js';
import type { SourceFacts } from './source-facts.js';

/** The child manifests and blobs of `root` the source does not hold (a HEAD per blob, shared by every target's check). */
export async function partsLostAtSource(root: ManifestContent, facts: SourceFacts): Promise<string[]> {
  const lost: string[] = [];
  const visit = async (node: ManifestContent): Promise<void> => {
    const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    await Promise.all([
      // A foreign layer (or one with urls) is fetched from its URLs, never from the registry.
      ...splitForeign(parsed.blobs).distributable.filter((b) => !b.urls?.length).map(async (b) => {
        if (!(await facts.holdsBlob(b))) lost.push(`blob ${b.digest}`);
      }),
      ...parsed.manifests.map(async (m) => {
        const child = await facts.manifest(m.digest).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
        if (child) await visit(child);
        else lost.push(`manifest ${m.digest}`);
      }),
    ]);
  };
  await visit(root);
  return [...new Set(lost)].sort();
}
