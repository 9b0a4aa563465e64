// OCI image layouts written byte by byte from a few lines of a test (image-spec image-layout.md),
// never through regmirror's own layout code, for the cases other projects' test data misses:
// sha512 digests, nested indexes, odd ref names, symlinked blobs, a layout without its marker.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A descriptor as a layout writer puts it in a manifest or index.json. */
export interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  [field: string]: unknown;
}

/** Writes blobs and manifests into one layout directory; index.json last, with writeIndex. */
export class LayoutWriter {
  constructor(readonly dir: string) {}

  /** Stores `bytes` under blobs/<alg>/<hex> and returns its descriptor. */
  async blob(mediaType: string, bytes: Uint8Array | string, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<LayoutDescriptor> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    const hex = createHash(algorithm).update(data).digest('hex');
    await mkdir(join(this.dir, 'blobs', algorithm), { recursive: true });
    await writeFile(join(this.dir, 'blobs', algorithm, hex), data);
    return { mediaType, digest: `${algorithm}:${hex}`, size: data.byteLength };
  }

  /** A manifest or index as JSON (its `mediaType` field names it), stored as a blob. */
  async json(value: { mediaType: string; [field: string]: unknown }, algorithm: 'sha256' | 'sha512' = 'sha256'): Promise<LayoutDescriptor> {
    return this.blob(value.mediaType, JSON.stringify(value), algorithm);
  }

  /** index.json with these entries, and the oci-layout marker unless `marker` is false. */
  async writeIndex(manifests: LayoutDescriptor[], marker = true): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (marker) await writeFile(join(this.dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  }
}

/** `desc` as an index.json entry tagged `name`, with any other annotations. */
export function tagged(desc: LayoutDescriptor, name: string, extra: Record<string, unknown> = {}): LayoutDescriptor {
  const { annotations, ...rest } = extra as { annotations?: Record<string, string> };
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, ...rest, annotations: { ...annotations, 'org.opencontainers.image.ref.name': name } };
}
