// Every blob a manifest's graph names: its own, and those of the manifests below it, read from
// the store once each. For looks over a whole image before a copy that will not read its blobs
// (skopeo's engine): what cannot be read or parsed is passed over, the copy itself says why.
import type { CallOptions, ManifestContent, Repository } from './storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { parseManifest } from '../types/mediatype.js';

/** The blob descriptors under `root`, child manifests (and their children) read from `repo`. */
export async function blobsBelow(repo: Repository, root: ManifestContent, opts?: CallOptions): Promise<Descriptor[]> {
  const seen = new Set<string>();
  const blobs: Descriptor[] = [];
  const visit = async (node: ManifestContent | undefined): Promise<void> => {
    if (!node || seen.has(node.descriptor.digest)) return;
    seen.add(node.descriptor.digest);
    let parsed;
    try {
      parsed = parseManifest(node.bytes, node.descriptor.mediaType);
    } catch {
      return;
    }
    blobs.push(...parsed.blobs);
    await Promise.all(parsed.manifests.map(async (child) => visit(await repo.fetchManifest(child.digest, opts).catch(() => undefined))));
  };
  await visit(root);
  return blobs;
}
