// skopeo 1.9 cannot read an OCI layout by digest (`oci:DIR@sha256:…` is taken as a path), so a
// layout source is copied by tag and the tag is checked against the pinned digest first.
import { readIndex, tagEntry } from '../content/layout/index-file.js';
import { NotFoundError, UnsupportedError } from '../types/errors.js';
import { OCI_INDEX, OCI_MANIFEST } from '../types/mediatype.js';

/**
 * The digest `tag` names in the layout at `dir`; NotFoundError when the tag is absent, and
 * UnsupportedError when skopeo would not see it: containers/image (skopeo 1.9) skips index.json
 * entries of any type but an OCI manifest or index (go-containerregistry's test layouts have them).
 */
export async function layoutTagDigest(dir: string, tag: string): Promise<string> {
  const entry = tagEntry(await readIndex(dir), tag, `oci:${dir}`);
  if (!entry) throw new NotFoundError(`oci:${dir}: no tag ${tag}`);
  const { mediaType, digest } = entry;
  if (mediaType !== OCI_MANIFEST && mediaType !== OCI_INDEX) {
    throw new UnsupportedError(`engine: skopeo cannot read tag ${tag}, whose index.json entry has media type ${JSON.stringify(mediaType)} (skopeo reads only OCI manifests and indexes from a layout); use engine: native for this image`);
  }
  return digest;
}
