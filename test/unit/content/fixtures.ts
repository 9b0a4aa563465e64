// A small, real multi-arch OCI image (index → two manifests → config + gzip'd empty tar each),
// built in memory so content tests, and skopeo, have something valid to move.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../../src/types/digest.js';
import type { Descriptor, Platform } from '../../../src/types/descriptor.js';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import type { Repository } from '../../../src/content/storage.js';

/** A descriptor with the exact bytes it describes. */
export interface Content {
  desc: Descriptor;
  bytes: Buffer;
}

/** Every piece of the image, in the order a copier pushes them (blobs, manifests, index). */
export interface TestImage {
  blobs: Content[];
  manifests: Content[];
  index: Content;
}

/** Wraps bytes in a descriptor of the given media type. */
export function content(mediaType: string, bytes: Buffer | string, extra: Partial<Descriptor> = {}): Content {
  const buf = Buffer.from(bytes);
  return { desc: { mediaType, digest: sha256(buf), size: buf.byteLength, ...extra }, bytes: buf };
}

/** Builds the image; `seed` makes configs differ so two images never share a digest. */
export function buildImage(seed = 'a', platforms: Platform[] = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]): TestImage {
  const tar = Buffer.alloc(1024); // an empty tar archive: two zero blocks
  const layer = content(OCI_LAYER_GZIP, gzipSync(tar));
  const blobs: Content[] = [layer];
  const manifests: Content[] = [];
  for (const platform of platforms) {
    const config = content(OCI_CONFIG, JSON.stringify({
      architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Labels: { seed } }, rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }));
    blobs.push(config);
    const manifest = content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: config.desc, layers: [layer.desc] }));
    manifests.push({ desc: { ...manifest.desc, platform }, bytes: manifest.bytes });
  }
  const index = content(OCI_INDEX, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: manifests.map((m) => m.desc) }));
  return { blobs, manifests, index };
}

/** Pushes the whole image children-first, then tags the index with each of `tags`. */
export async function pushImage(repo: Repository, image: TestImage, ...tags: string[]): Promise<void> {
  for (const blob of image.blobs) {
    if (!(await repo.exists(blob.desc))) await repo.pushBlob(blob.desc, Readable.from([blob.bytes]));
  }
  for (const m of image.manifests) await repo.pushManifest(m.desc, m.bytes);
  await repo.pushManifest(image.index.desc, image.index.bytes);
  for (const tag of tags) await repo.tag(image.index.desc, image.index.bytes, tag);
}

/** Reads a stream to the end. */
export async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A stream that yields `first` and then fails, like a connection dropped mid-blob. */
export function failingStream(first: Buffer, error = new Error('connection reset')): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else {
        this.destroy(error);
      }
    },
  });
}
