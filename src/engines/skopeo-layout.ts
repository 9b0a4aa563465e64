// skopeo 1.9 cannot read an OCI layout by digest (`oci:DIR@sha256:…` is taken as a path), so a
// layout source is copied by tag and the tag is checked against the pinned digest first.
import { readIndex, taggedEntries } from '../content/layout/index-file.js';
import { NotFoundError } from '../types/errors.js';

/** The digest `tag` names in the layout at `dir`; NotFoundError when the tag is absent. */
export async function layoutTagDigest(dir: string, tag: string): Promise<string> {
  const entry = taggedEntries(await readIndex(dir)).find((e) => e.tag === tag);
  if (!entry) throw new NotFoundError(`oci:${dir}: no tag ${tag}`);
  return entry.descriptor.digest;
}
