// OCI 1.1 referrers a layout keeps untagged (regclient's ocidir does: a manifest with a `subject`
// and no tag name). regmirror carries referrers by tag to registries without the referrers API,
// so a source layout shows them as the fallback tag `sha256-HEX` that the distribution spec
// defines for exactly that case (what oras and regclient push there): an index of every manifest
// in the layout whose subject is `sha256:HEX`, in digest order, built the same way every time.
import type { Descriptor } from '../../types/descriptor.js';
import { OCI_INDEX, parseManifest } from '../../types/mediatype.js';
import { REF_NAME, type LayoutIndex } from './index-file.js';

/** Reads a manifest's bytes by digest, or undefined when the layout lacks it. */
export type ManifestReader = (digest: string) => Promise<Uint8Array | undefined>;

/**
 * Fallback tag → index bytes, for each subject that has an untagged referrer in `index` and no
 * real tag of that name. Costs nothing (no read) for a layout without untagged entries.
 */
export async function fallbackIndexes(index: LayoutIndex, read: ManifestReader): Promise<Map<string, Uint8Array>> {
  const untagged = index.manifests.filter((d) => typeof d.annotations?.[REF_NAME] !== 'string');
  const subjects = new Set((await Promise.all(untagged.map((d) => referrerOf(d, read)))).flatMap((r) => (r ? [r.subject] : [])));
  if (subjects.size === 0) return new Map();
  const tags = new Set(index.manifests.map((d) => d.annotations?.[REF_NAME]));
  // Tagged referrers belong in the list too: it names every referrer of the subject.
  const seen = new Set<string>();
  const referrers = (await Promise.all(index.manifests.filter((d) => !seen.has(d.digest) && seen.add(d.digest)).map((d) => referrerOf(d, read))))
    .flatMap((r) => (r && subjects.has(r.subject) ? [r] : []));
  const out = new Map<string, Uint8Array>();
  for (const subject of [...subjects].sort()) {
    const tag = subject.replace(':', '-');
    if (tags.has(tag)) continue;
    const manifests = referrers.filter((r) => r.subject === subject).map((r) => r.descriptor).sort((a, b) => (a.digest < b.digest ? -1 : 1));
    out.set(tag, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
  }
  return out;
}

// The entry's subject and its descriptor as the referrers API lists it (artifactType: the
// manifest's own, else its config's media type; the manifest's annotations), or undefined.
async function referrerOf(entry: Descriptor, read: ManifestReader): Promise<{ subject: string; descriptor: Descriptor } | undefined> {
  const bytes = await read(entry.digest).catch(() => undefined);
  if (!bytes) return undefined;
  let parsed;
  try {
    parsed = parseManifest(bytes);
  } catch {
    return undefined;
  }
  if (!parsed.subject) return undefined;
  const artifactType = parsed.artifactType ?? parsed.blobs[0]?.mediaType;
  const descriptor: Descriptor = { mediaType: parsed.mediaType, digest: entry.digest, size: bytes.byteLength };
  if (artifactType) descriptor.artifactType = artifactType;
  if (parsed.annotations) descriptor.annotations = parsed.annotations;
  return { subject: parsed.subject.digest, descriptor };
}
