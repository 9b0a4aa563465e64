// Deterministic image content: the same names always give the same bytes and digests, so a
// run is reproducible. Bytes come from an AES-256-CTR keystream (fast, incompressible).
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  cosignPayload: 'application/vnd.dev.cosign.simplesigning.v1+json',
};

/** Every manifest type, for Accept headers. */
export const ACCEPT = [MT.index, MT.manifest, 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

export const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
  { os: 'linux', architecture: 's390x' },
];

/** `sha256:HEX` of bytes. */
export function digestOf(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function keystream(seed) {
  return createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
}

/** `size` pseudo-random bytes determined by `seed`. */
export function randomBytes(seed, size) {
  const cipher = keystream(seed);
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** The same bytes as randomBytes(seed, size), as a stream of 1 MiB chunks (never all in memory). */
export function randomStream(seed, size) {
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(1 << 20);
  let left = size;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (left === 0) return this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n)));
    },
  });
}

/** A blob: bytes plus its descriptor. */
export function blob(mediaType, bytes, extra = {}) {
  return { bytes, desc: { mediaType, digest: digestOf(bytes), size: bytes.length, ...extra } };
}

/** A JSON document as a blob (manifests and configs). */
export function jsonBlob(mediaType, value, extra = {}) {
  return blob(mediaType, Buffer.from(JSON.stringify(value)), extra);
}

/** An image config naming its layers' diff ids (layers are uncompressed tars here). */
export function imageConfig(platform, layers, label) {
  return jsonBlob(MT.config, {
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Labels: { 'bench.regmirror': label } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.desc.digest) },
  });
}

/** An OCI image manifest over a config and layers. */
export function imageManifest(config, layers, extra = {}) {
  return jsonBlob(MT.manifest, { schemaVersion: 2, mediaType: MT.manifest, config: config.desc, layers: layers.map((l) => l.desc) }, extra);
}

/** The cosign tag name of a digest. */
export function sigTag(digest) {
  return `${digest.replace(':', '-')}.sig`;
}
