// skopeo 1.9, copying an index from a registry, writes each image of it and then the index with
// every entry's media type set to the type the registry served that image with (its Content-Type).
// An index that names an image at another type would so be rewritten, which --preserve-digests
// forbids: "Manifest list must be converted to type … but we cannot modify it: "Instructed to
// preserve digests"", into a layout or a registry alike. go-containerregistry's test indexes name
// a Docker schema 2 manifest as an OCI manifest. From a layout skopeo keeps the index's own types,
// so only a registry source meets this.
import type { CallOptions, ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';
import type { RepositoryRef } from '../types/reference.js';

/**
 * The entries of an index skopeo would have to rewrite: those whose media type is not the one
 * `served` (digest → the registry's type for that manifest) gives; an entry not served is left to
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
 * the index's media types (relabeledEntries); each entry's type is asked of the registry (a HEAD),
 * only for an index from a registry.
 */
export async function skopeoWouldRelabel(source: RepositoryRef, src: Repository, root: ManifestContent, opts: CallOptions): Promise<boolean> {
  if (source.scheme !== 'registry' || !isIndexType(root.descriptor.mediaType)) return false;
  let entries: Descriptor[];
  try {
    entries = parseManifest(root.bytes, root.descriptor.mediaType).manifests;
  } catch {
    return false; // the copy itself fails on it, saying why
  }
  const served = new Map<string, string>();
  await Promise.all(
    entries.map(async ({ digest }) => {
      // Unanswered: skopeo, reading it too, says why.
      const desc = await src.resolve(digest, opts).catch(() => undefined);
      if (desc) served.set(digest, desc.mediaType);
    }),
  );
  return relabeledEntries(entries, served).length > 0;
}
