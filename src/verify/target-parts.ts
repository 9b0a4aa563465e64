// verify --deep: the parts of a source image (child manifests, blobs) its target lacks.
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { splitForeign } from '../types/foreign.js';
import { parseManifest } from '../types/mediatype.js';
import { referrerPartsAbsent } from '../report/referrer-lacks.js';
import type { SourceFacts } from './source-facts.js';

// A blob's presence in a target repository, asked once per run: the platforms of a release share
// most layers, and its tags share their base, so asking per (child, layer) asked again and again
// (an index of 150 children over 5 shared layers: 1,050 HEADs for 305 distinct blobs).
const heldBlobs = new WeakMap<Repository, Map<string, Promise<boolean>>>();

function holds(dst: Repository, blob: Descriptor, signal?: AbortSignal): Promise<boolean> {
  let known = heldBlobs.get(dst);
  if (!known) heldBlobs.set(dst, (known = new Map()));
  let asked = known.get(blob.digest);
  if (!asked) {
    asked = dst.exists(blob, { signal });
    known.set(blob.digest, asked);
    asked.catch(() => known.delete(blob.digest)); // a failed answer is not remembered
  }
  return asked;
}

/** Child manifests and blobs of the source graph that the target does not hold. */
export async function absentParts(dst: Repository, root: ManifestContent, facts: SourceFacts, signal?: AbortSignal): Promise<string[]> {
  const absent: string[] = [];
  const visit = async (node: ManifestContent): Promise<void> => {
    const parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    await Promise.all([
      // A foreign layer is at its URLs, never at a registry: its absence there is no drift; nor is
      // that of a blob with urls that the source lacks too (types/foreign.ts leftAtUrls).
      ...splitForeign(parsed.blobs).distributable.map(async (b) => {
        if (await holds(dst, b, signal)) return;
        if (!b.urls?.length || (await facts.holdsBlob(b))) absent.push(`blob ${b.digest}`);
      }),
      ...parsed.manifests.map(async (m) => {
        if (!(await dst.exists(m, { signal }))) absent.push(`manifest ${m.digest}`);
        await visit(await facts.manifest(m.digest));
      }),
    ]);
  };
  await visit(root);
  // A part several images of an index name (a shared layer, a child under two indexes) is one gap.
  return [...new Set(absent)].sort();
}

/** The parts of a referrer in place at the target that it lacks, named after the referrer. */
export async function referrerParts(dst: Repository, name: string, referrer: ManifestContent, facts: SourceFacts, signal?: AbortSignal): Promise<string[]> {
  const absent = await absentParts(dst, referrer, facts, signal);
  return absent.length > 0 ? [referrerPartsAbsent(name, absent)] : [];
}
