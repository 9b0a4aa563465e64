// Small images for the registry client tests: random layers, a config and an OCI manifest.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import type { Descriptor } from '../../../src/types/descriptor.js';
import { sha256 } from '../../../src/types/digest.js';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../../src/types/mediatype.js';

/** A blob with its descriptor. */
export interface Blob {
  desc: Descriptor;
  bytes: Buffer;
}

/** Random bytes as a layer blob. */
export function randomBlob(size = 1024, mediaType = OCI_LAYER_GZIP): Blob {
  const bytes = randomBytes(size);
  return { desc: { mediaType, digest: sha256(bytes), size }, bytes };
}

/** A config blob, a layer and the manifest that joins them. */
export function smallImage(layerSize = 2048): { config: Blob; layer: Blob; manifest: Blob } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') }));
  const configBlob: Blob = { desc: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.byteLength }, bytes: config };
  const layer = randomBlob(layerSize);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configBlob.desc, layers: [layer.desc] }));
  return { config: configBlob, layer, manifest: { desc: { mediaType: OCI_MANIFEST, digest: sha256(manifest), size: manifest.byteLength }, bytes: manifest } };
}

/** Bytes as a one-shot stream. */
export function streamOf(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}

/** Reads a stream to the end. */
export async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** skopeo's opinion of a tag's manifest digest (the second opinion the brief asks for). */
export async function skopeoDigest(host: string, repoTag: string, creds?: string): Promise<string> {
  const args = ['inspect', '--raw', '--tls-verify=false', ...(creds ? ['--creds', creds] : ['--no-creds']), `docker://${host}/${repoTag}`];
  const { stdout } = await execa('skopeo', args, { stripFinalNewline: false, encoding: 'buffer' });
  return sha256(stdout);
}
