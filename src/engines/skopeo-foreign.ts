// skopeo leaves foreign layers at their URLs as the native copier does (containers/image: a
// registry or oci: destination "accepts foreign layer URLs"), so a target that does not allow those
// URLs refuses the manifest. skopeo says only "uploading manifest …: received unexpected HTTP
// status: 500" (distribution's answer), which names neither the layer nor the registry's setting:
// for an image with foreign layers, the failure says what the native engine says.
import type { CallOptions, ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { CopyError, UnsupportedError } from '../types/errors.js';
import { hasUrls } from '../types/foreign.js';
import { blobsBelow } from '../content/blobs-below.js';

// containers/image's words for a refused manifest PUT (PutManifest), whatever the status.
const MANIFEST_REFUSED = /\b(uploading|writing) manifest\b/i;

/**
 * `error` from a skopeo copy of `root`, or, when it is a refused manifest PUT at the destination
 * and the image has foreign layers, the same failure with what they mean and what to do.
 */
export async function explainForeignRefusal(error: Error, host: string | undefined, src: Repository, root: ManifestContent, opts: CallOptions): Promise<Error> {
  if (!(error instanceof CopyError) || error.origin !== 'destination' || !MANIFEST_REFUSED.test(error.message)) return error;
  const foreign = await foreignLayers(src, root, opts).catch(() => []);
  const first = foreign[0];
  if (!first) return error;
  const said = error.cause instanceof Error ? error.cause.message : String(error.cause);
  return new CopyError(error.origin, error.repository, new UnsupportedError(
    `${host ?? error.repository} refused a manifest of this image (${said}); the image has ${foreign.length} foreign ${foreign.length === 1 ? 'layer' : 'layers'} (${first.digest}, at ${first.urls?.[0] ?? '?'}), ` +
      'which stay at their URLs (neither skopeo nor regmirror copies them): if this registry does not allow those URLs in a manifest, allow them in its configuration ' +
      '(distribution: validation.manifests.urls.allow) or leave this image out of this target',
  ));
}

// The layers with URLs (foreign ones, and those skopeo leaves alike) of `root` and of the
// manifests below it (read from the source).
async function foreignLayers(src: Repository, root: ManifestContent, opts: CallOptions): Promise<Descriptor[]> {
  return (await blobsBelow(src, root, opts)).filter(hasUrls);
}
