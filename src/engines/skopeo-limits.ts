// What skopeo 1.9 cannot copy byte for byte from any source, seen in the root manifest alone: an
// index that lists an index (a nesting other tools write; skopeo: "Unexpectedly received a
// manifest list instead of a manifest for a single image"), and sha512 content (it hashes what it
// writes with sha256: "Internal error writing blob sha512:…"). The native copier writes those.
import type { ManifestContent } from '../content/storage.js';
import { isIndexType, parseManifest } from '../types/mediatype.js';

/** True when `root` is beyond skopeo's copy: sha512 digests in it, or an index among its entries. */
export function beyondSkopeo(root: ManifestContent): boolean {
  if (root.descriptor.digest.startsWith('sha512:')) return true;
  let parsed;
  try {
    parsed = parseManifest(root.bytes, root.descriptor.mediaType);
  } catch {
    return false; // skopeo's own error says it best
  }
  const listed = [...parsed.manifests, ...parsed.blobs];
  return listed.some((d) => d.digest.startsWith('sha512:')) || parsed.manifests.some((m) => isIndexType(m.mediaType));
}
