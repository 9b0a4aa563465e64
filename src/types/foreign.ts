// Foreign (non-distributable) layers: Windows base images (mcr.microsoft.com/windows/*, Docker Hub
// images built on them) carry layers whose bytes live at the descriptor's `urls`, not in the
// registry, which neither holds nor is meant to hold them. Like skopeo (docker and oci
// destinations "accept foreign layer URLs"), crane without --allow-nondistributable-artifacts and
// regsync without includeExternal, regmirror leaves them where they are and copies the manifest
// that names them byte for byte.
import type { Descriptor } from './descriptor.js';
import { CopyError, NotFoundError } from './errors.js';

/** Docker's foreign layer and the OCI non-distributable layers (image-spec layer.md, deprecated in 1.1 but still served). */
export const FOREIGN_LAYER_TYPES = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

/**
 * A layer that is never read from the source nor written to a target: a non-distributable media
 * type AND at least one URL to fetch it from. Both, because each alone can name a blob the
 * registry holds: `urls` on an ordinary layer are only other places it MAY be fetched from
 * (image-spec descriptor.md), and distribution requires such a blob at a schema 2 push; a
 * non-distributable type without URLs has nowhere else to be. Those are copied like any blob.
 */
export function isForeignLayer(desc: Descriptor): boolean {
  return FOREIGN_LAYER_TYPES.has(desc.mediaType) && hasUrls(desc);
}

/**
 * A descriptor naming URLs: what a registry checks against its allow list (distribution: foreign
 * and every OCI layer type), so what a refused manifest PUT may be refused for.
 */
export function hasUrls(desc: Descriptor): boolean {
  return Array.isArray(desc.urls) && desc.urls.some((u) => typeof u === 'string' && u !== '');
}

/**
 * A blob that is no foreign layer by type but has `urls` and that the source does not hold (`err`,
 * the failure to copy it, is the source's not-found): left at its URLs too, as skopeo and regsync
 * leave every layer with `urls` (distribution 2.8 takes such a manifest without the blob).
 */
export function leftAtUrls(desc: Descriptor, err: unknown): boolean {
  return hasUrls(desc) && err instanceof CopyError && err.origin === 'source' && err.cause instanceof NotFoundError;
}

/**
 * An image's blobs, once each by digest (a layer listed in two places, an empty config also a
 * layer, is one blob: copied, counted and verified once), split into those the copier moves and
 * the foreign ones it leaves at their URLs.
 */
export function splitForeign(blobs: Descriptor[]): { distributable: Descriptor[]; foreign: Descriptor[] } {
  const distributable: Descriptor[] = [];
  const foreign: Descriptor[] = [];
  for (const b of new Map(blobs.map((d) => [d.digest, d])).values()) (isForeignLayer(b) ? foreign : distributable).push(b);
  return { distributable, foreign };
}
