// Writes one OCI image layout directory (image-spec image-layout.md): the `oci-layout` marker,
// blobs/sha256/<hex>, and index.json naming tags with org.opencontainers.image.ref.name.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf, jsonBytes } from './blobs.mjs';

/** Media types the staged release uses. */
export const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  cosignPayload: 'application/vnd.dev.cosign.simplesigning.v1+json',
};

/** A layout being written: add blobs and manifests, tag them, then close() writes index.json. */
export class LayoutWriter {
  constructor(dir) {
    this.dir = dir;
    this.tags = [];
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  /** Stores bytes under their digest and returns their descriptor. */
  blob(bytes, mediaType, extra = {}) {
    const digest = digestOf(bytes);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  }

  /** Stores a JSON document (config or manifest) and returns its descriptor. */
  json(value, mediaType, extra = {}) {
    return this.blob(jsonBytes(value), mediaType, extra);
  }

  tag(descriptor, tag) {
    const { mediaType, digest, size } = descriptor;
    this.tags.push({ mediaType, digest, size, annotations: { 'org.opencontainers.image.ref.name': tag } });
  }

  close() {
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.index, manifests: this.tags }, null, 2));
  }
}
