// skopeo 1.9 cannot read an OCI layout by digest (`oci:DIR@sha256:…` is taken as a path), so a
// layout source is copied by tag and the tag is checked against the pinned digest first. The same
// check answers `plan`, which runs no skopeo: a tag sync would fail is planned as failed.
import { readIndex, tagEntry } from '../content/layout/index-file.js';
import { LayoutRepository } from '../content/layout/repository.js';
import { misstatedSize } from '../content/misstated-size.js';
import { blobsBelow } from '../content/blobs-below.js';
import { CopyError, DigestMismatchError, NotFoundError, UnsupportedError } from '../types/errors.js';
import { isIndexType, OCI_INDEX, OCI_MANIFEST } from '../types/mediatype.js';
import { formatRepository, type RepositoryRef } from '../types/reference.js';

/**
 * Why skopeo cannot read `tag`, whose index.json entry has `mediaType`; undefined when it can.
 * containers/image (skopeo 1.9) skips index.json entries of any type but an OCI manifest or index
 * (go-containerregistry's test layouts have Docker manifest lists and descriptor types there).
 */
export function skopeoLayoutRefusal(tag: string, mediaType: string): UnsupportedError | undefined {
  if (mediaType === OCI_MANIFEST || mediaType === OCI_INDEX) return undefined;
  return new UnsupportedError(`engine: skopeo cannot read tag ${tag}, whose index.json entry has media type ${JSON.stringify(mediaType)} (skopeo reads only OCI manifests and indexes from a layout); use engine: native for this image`);
}

/**
 * Whether skopeo would misread `tag` of a layout `source` whose manifest is `own` (its own media
 * type): containers/image parses a layout's manifest as the type its index.json entry says, so an
 * entry that calls an image an index, or an index an image, fails ("rejecting ambiguous manifest,
 * unexpected fields …") where the native copier goes by the manifest's own type and copies it
 * byte for byte. Entries skopeo cannot see at all are skopeoLayoutRefusal's; an index.json that
 * cannot be read is left to the copy, which says why.
 */
export async function skopeoMisreadsLayoutTag(source: RepositoryRef, tag: string, own: string): Promise<boolean> {
  if (source.scheme !== 'oci') return false;
  const entry = await readIndex(source.dir).then((index) => tagEntry(index, tag, `oci:${source.dir}`)).catch(() => undefined);
  if (!entry || skopeoLayoutRefusal(tag, entry.mediaType)) return false;
  return isIndexType(entry.mediaType) !== isIndexType(own);
}

/** The digest `tag` names in the layout at `dir`; NotFoundError when absent, skopeoLayoutRefusal's error when skopeo would not see it. */
export async function layoutTagDigest(dir: string, tag: string): Promise<string> {
  const entry = tagEntry(await readIndex(dir), tag, `oci:${dir}`);
  if (!entry) throw new NotFoundError(`oci:${dir}: no tag ${tag}`);
  const refusal = skopeoLayoutRefusal(tag, entry.mediaType);
  if (refusal) throw refusal;
  return entry.digest;
}

/**
 * Throws the CopyError a skopeo copy of `source:tag` (pinned to `digest`) fails with before any
 * skopeo runs, when the source is a layout skopeo cannot read it from: sync's copy and plan both ask.
 */
export async function checkSkopeoSource(source: RepositoryRef, tag: string, digest: string): Promise<void> {
  if (source.scheme !== 'oci') return;
  const found = await layoutTagDigest(source.dir, tag).catch((err: unknown) => {
    throw new CopyError('source', formatRepository(source), err);
  });
  if (found !== digest) {
    throw new CopyError('source', formatRepository(source), new DigestMismatchError(digest, found, `tag ${tag}`));
  }
  // skopeo reuses a blob a target holds without reading it: a descriptor misstating its blob's
  // size (the native copier stats each blob too) would reach a warm target unnoticed. What cannot
  // be read or parsed is left to skopeo, which says so in its words.
  const layout = new LayoutRepository(source.dir);
  const root = await layout.fetchManifest(digest).catch(() => undefined);
  for (const blob of root ? await blobsBelow(layout, root) : []) {
    const misstated = await misstatedSize(layout, blob);
    if (misstated) throw new CopyError('source', formatRepository(source), misstated);
  }
}
