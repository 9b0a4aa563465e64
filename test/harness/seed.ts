// Test fixtures pushed with raw HTTP (Node's fetch), never through regmirror's own client, so a
// bug in the code under test cannot hide itself by also building the fixtures. Content is
// deterministic: the same spec always yields the same digests.
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import './fetch.js'; // fetch() is undici's (see fetch.ts)

/** Where fixtures go: a registry base URL and how to authenticate (Basic, fixed Bearer, or a token per scope). */
export interface PushTarget {
  url: string;
  auth?: PushAuth;
}

/** Basic credentials, a fixed bearer token, or `(scope) => token` (e.g. `(s) => bearerFor(reg, s)`). */
export type PushAuth = { username: string; password: string } | { bearer: string } | ((scope: string) => Promise<string>);

/** What to build and push; see seedImage. */
export interface SeedImageSpec {
  repository: string;
  tags: string[];
  format: 'docker' | 'oci';
  /** Platforms of the index, taken in order from PLATFORMS (default 5). */
  platforms?: number;
  /** Size of each platform's own layer (uncompressed file content; default 1024). */
  layerBytes?: number;
  /** When > 0, each platform also gets a base layer that depends only on (baseSeed, platform). */
  sharedBaseBytes?: number;
  baseSeed?: string;
  /** Distinguishes image content (default: the repository name). */
  seed?: string;
  /** Every tag points at the same image instead of a distinct one per tag. */
  sameImageForAllTags?: boolean;
  /** cosign signature tag `sha256-HEX.sig`. */
  signature?: boolean;
  /** cosign attestation tag `sha256-HEX.att`. */
  attestation?: boolean;
  /** cosign SBOM tag `sha256-HEX.sbom`. */
  sbom?: boolean;
  /** An OCI 1.1 artifact with `subject` = the image, plus the `sha256-HEX` fallback tag index. */
  ociReferrer?: boolean;
  /** A single-platform manifest (linux/amd64) instead of an index. */
  single?: boolean;
}

/** What seedImage pushed for one tag. */
export interface SeededImage {
  tag: string;
  digest: string;
  mediaType: string;
  /** Platform manifests of the index (empty for `single`). */
  childDigests: string[];
  /** Configs and layers of the image, without duplicates. */
  blobDigests: string[];
  /** Referrer tag -> manifest digest (`.sig`, `.att`, `.sbom`, `sha256-HEX` fallback index). */
  referrerTags: Record<string, string>;
  /** Digests of OCI 1.1 referrer artifacts (those with `subject`). */
  referrerDigests: string[];
}

/** The platforms seeded images are built for, in order. */
export const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
  { os: 'linux', architecture: 's390x' },
] as const;
type SeedPlatform = { os: string; architecture: string; variant?: string };

const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Every manifest type, for Accept headers (so the registry never converts). */
export const ALL_MANIFEST_TYPES = [MT.ociIndex, MT.ociManifest, MT.dockerList, MT.dockerManifest].join(', ');

interface Desc { mediaType: string; digest: string; size: number; platform?: SeedPlatform; annotations?: Record<string, string>; artifactType?: string }

// ---------------------------------------------------------------------------------------------
// Deterministic content

/** `sha256:HEX` of bytes. */
export function digestOf(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `size` pseudo-random bytes determined by `seed` (AES-256-CTR keystream; fast for large sizes). */
export function pseudoRandomBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** A POSIX ustar archive holding one regular file; tools such as skopeo and tar accept it. */
export function tarWithOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, Math.min(text.length, length), 'ascii');
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8); // checksum is computed with its own field as spaces
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

interface Layer { gz: Buffer; diffId: string }

function buildLayer(seed: string, size: number): Layer {
  const tar = tarWithOneFile(`seed/${createHash('sha256').update(seed).digest('hex').slice(0, 16)}.bin`, pseudoRandomBytes(seed, size));
  return { gz: gzipSync(tar, { level: 6 }), diffId: digestOf(tar) };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function platformName(p: SeedPlatform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

// ---------------------------------------------------------------------------------------------
// Raw registry HTTP

function scopeFor(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/** The Authorization header value for a request needing `scope`, or undefined when anonymous. */
export async function authorizationFor(auth: PushAuth | undefined, scope: string): Promise<string | undefined> {
  if (!auth) return undefined;
  if (typeof auth === 'function') return `Bearer ${await auth(scope)}`;
  if ('bearer' in auth) return `Bearer ${auth.bearer}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

async function call(target: PushTarget, scope: string, method: string, pathOrUrl: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  const authorization = await authorizationFor(target.auth, scope);
  if (authorization) headers.authorization = authorization;
  const url = new URL(pathOrUrl, target.url).toString();
  return fetch(url, { method, headers, body: init.body, redirect: 'follow' });
}

async function expectStatus(res: Response, ok: number[], what: string): Promise<void> {
  if (ok.includes(res.status)) return;
  const body = (await res.text()).slice(0, 500);
  throw new Error(`seed: ${what} answered ${res.status}: ${body}`);
}

/** Pushes a blob unless the registry has it already; returns its digest. */
export async function pushBlob(target: PushTarget, repository: string, bytes: Buffer): Promise<string> {
  const digest = digestOf(bytes);
  const scope = scopeFor(repository, 'pull,push');
  const head = await call(target, scope, 'HEAD', `/v2/${repository}/blobs/${digest}`);
  if (head.status === 200) return digest;
  const start = await call(target, scope, 'POST', `/v2/${repository}/blobs/uploads/`);
  await expectStatus(start, [202], `POST upload ${repository}`);
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location') ?? '', target.url);
  location.searchParams.set('digest', digest);
  const put = await call(target, scope, 'PUT', location.toString(), {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }, body: bytes,
  });
  await expectStatus(put, [201], `PUT blob ${digest} to ${repository}`);
  await put.arrayBuffer();
  return digest;
}

/** PUTs manifest bytes under `ref` (a tag or a digest); returns the digest, checked against the registry's. */
export async function pushManifest(target: PushTarget, repository: string, ref: string, bytes: Buffer, mediaType: string): Promise<string> {
  const digest = digestOf(bytes);
  const res = await call(target, scopeFor(repository, 'pull,push'), 'PUT', `/v2/${repository}/manifests/${ref}`, {
    headers: { 'content-type': mediaType }, body: bytes,
  });
  await expectStatus(res, [201], `PUT manifest ${repository}:${ref}`);
  await res.arrayBuffer();
  const returned = res.headers.get('docker-content-digest');
  if (returned && returned !== digest) throw new Error(`seed: registry computed ${returned} for ${repository}:${ref}, expected ${digest}`);
  return digest;
}

/** A manifest as the registry serves it, or undefined when absent. */
export async function getManifest(target: PushTarget, repository: string, ref: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
  const res = await call(target, scopeFor(repository, 'pull'), 'GET', `/v2/${repository}/manifests/${ref}`, { headers: { accept: ALL_MANIFEST_TYPES } });
  if (res.status === 404) return undefined;
  await expectStatus(res, [200], `GET manifest ${repository}:${ref}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, mediaType: res.headers.get('content-type') ?? '', digest: digestOf(bytes) };
}

/** The digest `ref` resolves to (HEAD), or undefined when absent. */
export async function getManifestDigest(target: PushTarget, repository: string, ref: string): Promise<string | undefined> {
  const res = await call(target, scopeFor(repository, 'pull'), 'HEAD', `/v2/${repository}/manifests/${ref}`, { headers: { accept: ALL_MANIFEST_TYPES } });
  if (res.status === 404) return undefined;
  await expectStatus(res, [200], `HEAD manifest ${repository}:${ref}`);
  return res.headers.get('docker-content-digest') ?? undefined;
}

/**
 * Deletes the manifest `ref` resolves to. Distribution deletes by digest only, so a tag is
 * resolved first, and every tag pointing at that digest goes with it.
 */
export async function deleteManifest(target: PushTarget, repository: string, ref: string): Promise<void> {
  const digest = ref.includes(':') ? ref : await getManifestDigest(target, repository, ref);
  if (!digest) throw new Error(`seed: ${repository}:${ref} not found, nothing to delete`);
  const res = await call(target, scopeFor(repository, 'pull,push,delete'), 'DELETE', `/v2/${repository}/manifests/${digest}`);
  await expectStatus(res, [202], `DELETE ${repository}@${digest}`);
  await res.arrayBuffer();
}

/** Unlinks blob `digest` from a repository (distribution: later HEADs there answer 404). */
export async function deleteBlob(target: PushTarget, repository: string, digest: string): Promise<void> {
  const res = await call(target, scopeFor(repository, 'pull,push,delete'), 'DELETE', `/v2/${repository}/blobs/${digest}`);
  await expectStatus(res, [202], `DELETE ${repository} blob ${digest}`);
  await res.arrayBuffer();
}

/** Points `toTag` at whatever `fromRef` is (byte for byte); returns the digest. */
export async function retag(target: PushTarget, repository: string, fromRef: string, toTag: string): Promise<string> {
  const manifest = await getManifest(target, repository, fromRef);
  if (!manifest) throw new Error(`seed: ${repository}:${fromRef} not found, cannot retag`);
  return pushManifest(target, repository, toTag, manifest.bytes, manifest.mediaType);
}

/** All tags of a repository (following Link pagination); [] when the repository does not exist. */
export async function listTags(target: PushTarget, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repository}/tags/list?n=1000`;
  while (next) {
    const res = await call(target, scopeFor(repository, 'pull'), 'GET', next);
    if (res.status === 404) return tags;
    await expectStatus(res, [200], `GET tags of ${repository}`);
    tags.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Images

interface Pushed { desc: Desc; blobs: string[]; bytes: Buffer }

async function pushPlatformManifest(target: PushTarget, spec: SeedImageSpec, imageSeed: string, platform: SeedPlatform): Promise<Pushed> {
  const docker = spec.format === 'docker';
  const layers: Layer[] = [];
  if ((spec.sharedBaseBytes ?? 0) > 0) layers.push(buildLayer(`base:${spec.baseSeed ?? 'base'}:${platformName(platform)}`, spec.sharedBaseBytes ?? 0));
  layers.push(buildLayer(`layer:${imageSeed}:${platformName(platform)}`, spec.layerBytes ?? 1024));
  const config = json({
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Labels: { 'regmirror.test/seed': imageSeed } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'regmirror test seed' })),
  });
  const layerType = docker ? MT.dockerLayer : MT.ociLayer;
  const blobs = await Promise.all([config, ...layers.map((l) => l.gz)].map((b) => pushBlob(target, spec.repository, b)));
  const mediaType = docker ? MT.dockerManifest : MT.ociManifest;
  const manifest = json({
    schemaVersion: 2, mediaType,
    config: { mediaType: docker ? MT.dockerConfig : MT.ociConfig, digest: digestOf(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: layerType, digest: digestOf(l.gz), size: l.gz.length })),
  });
  const digest = await pushManifest(target, spec.repository, digestOf(manifest), manifest, mediaType);
  return { desc: { mediaType, digest, size: manifest.length, platform }, blobs, bytes: manifest };
}

/**
 * Builds and pushes one image per tag: an index (docker manifest list or OCI index) of
 * `platforms` real images whose layers are gzip'd tars, plus the requested referrers.
 * Order is blobs, platform manifests, index by tag, then referrers, as a real push does.
 */
export async function seedImage(target: PushTarget, spec: SeedImageSpec): Promise<SeededImage[]> {
  const out: SeededImage[] = [];
  for (const tag of spec.tags) {
    const imageSeed = `${spec.seed ?? spec.repository}:${spec.sameImageForAllTags ? '' : tag}`;
    out.push(await seedOneTag(target, spec, tag, imageSeed));
  }
  return out;
}

async function seedOneTag(target: PushTarget, spec: SeedImageSpec, tag: string, imageSeed: string): Promise<SeededImage> {
  const platforms: SeedPlatform[] = spec.single ? [PLATFORMS[0]] : PLATFORMS.slice(0, spec.platforms ?? 5);
  if (platforms.length === 0) throw new Error('seed: platforms must be at least 1');
  const children = await Promise.all(platforms.map((p) => pushPlatformManifest(target, spec, imageSeed, p)));
  const blobDigests = [...new Set(children.flatMap((c) => c.blobs))];
  let top: Desc;
  if (spec.single) {
    const only = children[0]!;
    await pushManifest(target, spec.repository, tag, only.bytes, only.desc.mediaType);
    top = { ...only.desc, platform: undefined };
  } else {
    const mediaType = spec.format === 'docker' ? MT.dockerList : MT.ociIndex;
    const index = json({ schemaVersion: 2, mediaType, manifests: children.map((c) => c.desc) });
    await pushManifest(target, spec.repository, tag, index, mediaType);
    top = { mediaType, digest: digestOf(index), size: index.length };
  }
  const referrers = await seedReferrers(target, spec, top, imageSeed);
  return {
    tag, digest: top.digest, mediaType: top.mediaType, childDigests: spec.single ? [] : children.map((c) => c.desc.digest),
    blobDigests, referrerTags: referrers.tags, referrerDigests: referrers.digests,
  };
}

// ---------------------------------------------------------------------------------------------
// Referrers: cosign tags and OCI 1.1 artifacts

const EMPTY_JSON = Buffer.from('{}');

async function pushCosignTag(target: PushTarget, repository: string, tag: string, layerType: string, payload: Buffer, annotations: Record<string, string>): Promise<string> {
  // cosign's config: an image config whose single diff_id is the payload's digest.
  const config = json({ architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: [digestOf(payload)] }, config: {} });
  await pushBlob(target, repository, config);
  await pushBlob(target, repository, payload);
  const manifest = json({
    schemaVersion: 2, mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, size: config.length, digest: digestOf(config) },
    layers: [{ mediaType: layerType, size: payload.length, digest: digestOf(payload), annotations }],
  });
  return pushManifest(target, repository, tag, manifest, MT.ociManifest);
}

async function seedReferrers(target: PushTarget, spec: SeedImageSpec, subject: Desc, imageSeed: string): Promise<{ tags: Record<string, string>; digests: string[] }> {
  const repo = spec.repository;
  const base = subject.digest.replace(':', '-');
  const fakeSig = (what: string) => pseudoRandomBytes(`${what}:${imageSeed}:${subject.digest}`, 64).toString('base64');
  const tags: Record<string, string> = {};
  const digests: string[] = [];
  if (spec.signature) {
    const payload = json({
      critical: { identity: { 'docker-reference': repo }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
      optional: null,
    });
    tags[`${base}.sig`] = await pushCosignTag(target, repo, `${base}.sig`, 'application/vnd.dev.cosign.simplesigning.v1+json', payload,
      { 'dev.cosignproject.cosign/signature': fakeSig('sig') });
  }
  if (spec.attestation) {
    const statement = json({
      _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ name: repo, digest: { sha256: subject.digest.slice(7) } }], predicate: { builder: { id: 'regmirror-test' } },
    });
    const envelope = json({ payloadType: 'application/vnd.in-toto+json', payload: statement.toString('base64'), signatures: [{ keyid: '', sig: fakeSig('att') }] });
    tags[`${base}.att`] = await pushCosignTag(target, repo, `${base}.att`, 'application/vnd.dsse.envelope.v1+json', envelope,
      { predicateType: 'https://slsa.dev/provenance/v0.2', 'dev.cosignproject.cosign/signature': '' });
  }
  if (spec.sbom) {
    const sbom = json({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: `${repo}@${subject.digest}`, dataLicense: 'CC0-1.0' });
    tags[`${base}.sbom`] = await pushCosignTag(target, repo, `${base}.sbom`, 'text/spdx+json', sbom, {});
  }
  if (spec.ociReferrer) {
    const artifactType = 'application/vnd.regmirror.test.sbom.v1+json';
    const blob = json({ sbomFor: subject.digest, seed: imageSeed });
    await pushBlob(target, repo, EMPTY_JSON);
    await pushBlob(target, repo, blob);
    const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' };
    const artifact = json({
      schemaVersion: 2, mediaType: MT.ociManifest, artifactType,
      config: { mediaType: MT.ociEmpty, digest: digestOf(EMPTY_JSON), size: EMPTY_JSON.length },
      layers: [{ mediaType: 'application/spdx+json', digest: digestOf(blob), size: blob.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    });
    const artifactDigest = await pushManifest(target, repo, digestOf(artifact), artifact, MT.ociManifest);
    digests.push(artifactDigest);
    // The fallback a registry without the referrers API gets (OCI distribution-spec 1.1, "Referrers Tag Schema").
    const fallback = json({
      schemaVersion: 2, mediaType: MT.ociIndex,
      manifests: [{ mediaType: MT.ociManifest, digest: artifactDigest, size: artifact.length, artifactType, annotations }],
    });
    tags[base] = await pushManifest(target, repo, base, fallback, MT.ociIndex);
  }
  return { tags, digests };
}
