// skopeo 1.9, copying an index, writes each image of it and then the index with every entry's
// media type set to the type it read that image as: from a registry, the type the registry served
// it with (its Content-Type); from a layout, the type of the first index.json entry naming that
// digest, else the type its bytes say (containers/image oci_src GetManifest). An index that names
// an image at another type would so be rewritten, which --preserve-digests forbids: "Manifest list
// must be converted to type … but we cannot modify it: "Instructed to preserve digests"", into a
// layout or a registry alike. go-containerregistry's test indexes name a Docker schema 2 manifest
// as an OCI manifest (from its layout skopeo copies them, as index.json lists that manifest under
// the OCI type too); a layout's index may name an OCI manifest as a Docker one.
import type { CallOptions, ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import type { RepositoryRef } from '../types/reference.js';
import { readIndex } from '../content/layout/index-file.js';

/**
 * The entries of an index skopeo would have to rewrite: those whose media type is not the one
 * `served` (digest → the type skopeo reads that manifest as) gives; an entry not served is left to
 * the copy itself to report.
 */
export function relabeledEntries(entries: Descriptor[], served: ReadonlyMap<string, string>): Descriptor[] {
  return entries.filter((entry) => {
    const type = served.get(entry.digest);
    return type !== undefined && type !== entry.mediaType;
  });
}

/**
 * Whether skopeo would refuse to copy `root` from `source` byte for byte because it would rewrite
 * the index's media types (relabeledEntries); each entry's type is the layout's index.json entry
 * for that digest, else asked of `src` (a registry's HEAD; a layout's manifest bytes), only for an index.
 */
export async function skopeoWouldRelabel(source: RepositoryRef, src: Repository, root: ManifestContent, opts: CallOptions): Promise<boolean> {
  if (!isIndexType(root.descriptor.mediaType)) return false;
  let entries: Descriptor[];
  try {
    entries = parseManifest(root.bytes, root.descriptor.mediaType).manifests;
  } catch {
    return false; // the copy itself fails on it, saying why
  }
  const listed = source.scheme === 'oci' ? await indexJsonTypes(source.dir) : new Map<string, string>();
  const served = new Map<string, string>();
  await Promise.all(
    entries.map(async ({ digest }) => {
      // Unanswered: skopeo, reading it too, says why.
      const type = listed.get(digest) ?? (await src.resolve(digest, opts).catch(() => undefined))?.mediaType;
      if (type) served.set(digest, type);
    }),
  );
  return relabeledEntries(entries, served).length > 0;
}

// digest → the media type of the first index.json entry naming it (the one skopeo takes); an
// index.json that cannot be read is left to the copy, which says why.
async function indexJsonTypes(dir: string): Promise<Map<string, string>> {
  const index = await readIndex(dir).catch(() => undefined);
  const types = new Map<string, string>();
  for (const entry of index?.manifests ?? []) if (!types.has(entry.digest)) types.set(entry.digest, entry.mediaType);
  return types;
}
