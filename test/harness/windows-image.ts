// Windows-like images (mcr.microsoft.com/windows/*): a base layer that is foreign (Docker's
// rootfs.foreign type, or OCI's nondistributable one) with `urls` pointing at a plain-HTTP host of
// the harness, which serves its bytes as Microsoft's CDN does, plus ordinary layers in the
// registry. Pushed with raw HTTP like every fixture (seed.ts): the registry must allow the URLs
// (startRegistry's manifestUrlsAllow).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { digestOf, pseudoRandomBytes, pushBlob, pushManifest, tarWithOneFile, type PushTarget } from './seed.js';

/** The plain-HTTP host foreign layers point at; `requests` lists every request it had; `serve` returns a layer's URL. */
export interface ForeignHost { url: string; requests: string[]; serve(bytes: Buffer): string; close(): Promise<void> }

/** What was pushed under one tag. */
export interface WindowsImage { tag: string; digest: string; childDigests: string[]; blobDigests: string[]; foreignDigests: string[] }

const DOCKER = { list: 'application/vnd.docker.distribution.manifest.list.v2+json', manifest: 'application/vnd.docker.distribution.manifest.v2+json', config: 'application/vnd.docker.container.image.v1+json', layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip', foreign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip' };
const OCI = { manifest: 'application/vnd.oci.image.manifest.v1+json', config: 'application/vnd.oci.image.config.v1+json', layer: 'application/vnd.oci.image.layer.v1.tar+gzip', foreign: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip' };

/** Starts the host on 127.0.0.1; layers are served at /layers/<hex>. */
export async function startForeignHost(): Promise<ForeignHost> {
  const blobs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const bytes = blobs.get(req.url ?? '');
    if (!bytes) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    serve(bytes) {
      const path = `/layers/${digestOf(bytes).slice('sha256:'.length)}`;
      blobs.set(path, bytes);
      return `${url}${path}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function layer(seed: string, size: number): { gz: Buffer; diffId: string } {
  const tar = tarWithOneFile(`Files/${seed}.bin`, pseudoRandomBytes(seed, size));
  return { gz: gzipSync(tar), diffId: digestOf(tar) };
}

const desc = (mediaType: string, bytes: Buffer, extra: object = {}) => ({ mediaType, size: bytes.length, digest: digestOf(bytes), ...extra });

/**
 * Pushes `tag` of `repository`: 'docker' is a manifest list with one windows/amd64 schema 2 image
 * (as MCR serves), 'oci' a single OCI manifest with a nondistributable base layer.
 */
export async function pushWindowsImage(target: PushTarget, host: ForeignHost, repository: string, tag: string, format: 'docker' | 'oci'): Promise<WindowsImage> {
  const mt = format === 'docker' ? DOCKER : OCI;
  const base = layer(`windows-base-${format}`, 8192);
  const own = layer(`${repository}:${tag}`, 2048);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2113', rootfs: { type: 'layers', diff_ids: [base.diffId, own.diffId] } }));
  const foreign = desc(mt.foreign, base.gz, { urls: [host.serve(base.gz)] });
  await Promise.all([pushBlob(target, repository, config), pushBlob(target, repository, own.gz)]);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mt.manifest, config: desc(mt.config, config), layers: [foreign, desc(mt.layer, own.gz)] }));
  const image = { blobDigests: [digestOf(config), digestOf(own.gz)], foreignDigests: [foreign.digest] };
  if (format === 'oci') return { tag, digest: await pushManifest(target, repository, tag, manifest, OCI.manifest), childDigests: [], ...image };
  const child = await pushManifest(target, repository, digestOf(manifest), manifest, DOCKER.manifest);
  const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER.list, manifests: [desc(DOCKER.manifest, manifest, { platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2113' } })] }));
  return { tag, digest: await pushManifest(target, repository, tag, list, DOCKER.list), childDigests: [child], ...image };
}

/**
 * Pushes `tag`: an OCI image whose base layer has the ordinary layer type and `urls` (image-spec
 * 1.1's advice in place of the nondistributable types), its bytes only at the host: the registry
 * takes the manifest without the blob.
 */
export async function pushUrlsImage(target: PushTarget, host: ForeignHost, repository: string, tag: string): Promise<WindowsImage> {
  const base = layer('windows-base-urls', 8192);
  const own = layer(`${repository}:${tag}`, 2048);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: [base.diffId, own.diffId] } }));
  const away = desc(OCI.layer, base.gz, { urls: [host.serve(base.gz)] });
  await Promise.all([pushBlob(target, repository, config), pushBlob(target, repository, own.gz)]);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: desc(OCI.config, config), layers: [away, desc(OCI.layer, own.gz)] }));
  return { tag, digest: await pushManifest(target, repository, tag, manifest, OCI.manifest), childDigests: [], blobDigests: [digestOf(config), digestOf(own.gz)], foreignDigests: [away.digest] };
}
