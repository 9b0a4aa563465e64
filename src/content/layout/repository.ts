// One OCI image layout directory as a Repository (image-spec image-layout.md; after regclient's
// ocidir): blobs and manifests under blobs/<alg>/<hex>, tags as ref.name entries of index.json.
// No mounting and no referrers API: signatures travel as cosign-style tags (`sha256-HEX.sig`).
import type { Readable } from 'node:stream';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, NotFoundError, SizeLimitError, UnsupportedError } from '../../types/errors.js';
import { VerifyingStream, parseDigest, verifyBytes } from '../../types/digest.js';
import type { Descriptor } from '../../types/descriptor.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../../types/mediatype.js';
import { isValidTag } from '../../types/reference.js';
import type { BlobContent, CallOptions, ManifestContent, Repository } from '../storage.js';
import { isMissing, readCapped, writeBytesAtomically, writeStreamAtomically } from './files.js';
import { REF_NAME, checkLayoutVersion, prepareLayout, readIndex, taggedEntries, updateIndex } from './index-file.js';

/** A layout directory read and written like a registry repository (`oci:DIR`). */
export class LayoutRepository implements Repository {
  readonly name: string;
  private prepared: Promise<void> | undefined;

  constructor(readonly dir: string) {
    this.name = `oci:${dir}`;
  }

  async resolve(reference: string, opts?: CallOptions): Promise<Descriptor> {
    checkSignal(opts);
    if (reference.includes(':')) return (await this.fetchManifest(reference, opts)).descriptor;
    await checkLayoutVersion(this.dir);
    const entries = taggedEntries(await readIndex(this.dir)).filter((e) => e.tag === reference);
    const found = entries[entries.length - 1]?.descriptor;
    if (!found) throw new NotFoundError(`${this.name}: tag ${reference} not found`);
    return { mediaType: found.mediaType, digest: found.digest, size: found.size };
  }

  async fetchManifest(reference: string, opts?: CallOptions): Promise<ManifestContent> {
    checkSignal(opts);
    const tagged = reference.includes(':') ? undefined : await this.resolve(reference, opts);
    const digest = tagged?.digest ?? reference;
    const bytes = await readCapped(this.blobPath(digest), MAX_MANIFEST_BYTES,
      (size) => new SizeLimitError(`${this.name}: manifest ${digest} is ${size} bytes, over ${MAX_MANIFEST_BYTES}`),
      () => new NotFoundError(`${this.name}: manifest ${reference} not found`));
    verifyBytes(bytes, digest, tagged?.size, 'manifest');
    const mediaType = tagged?.mediaType ?? this.mediaTypeOf(bytes, digest);
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes: new Uint8Array(bytes) };
  }

  async fetchBlob(desc: Descriptor, opts?: CallOptions): Promise<Readable> {
    checkSignal(opts);
    try {
      const handle = await open(this.blobPath(desc.digest), 'r');
      return handle.createReadStream();
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError(`${this.name}: blob ${desc.digest} not found`);
      throw err;
    }
  }

  async exists(desc: Descriptor, opts?: CallOptions): Promise<boolean> {
    checkSignal(opts);
    try {
      return (await stat(this.blobPath(desc.digest))).size === desc.size;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async pushBlob(desc: Descriptor, content: BlobContent, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    const path = this.blobPath(desc.digest);
    await this.prepare();
    if (content instanceof Uint8Array) {
      verifyBytes(content, desc.digest, desc.size, 'blob');
      await writeBytesAtomically(path, content);
      return;
    }
    await writeStreamAtomically(path, content, new VerifyingStream(desc.digest, desc.size), opts?.signal);
  }

  // Untagged manifests stay out of index.json: they are reachable through their parent.
  async pushManifest(desc: Descriptor, bytes: Uint8Array, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    if (bytes.byteLength > MAX_MANIFEST_BYTES) throw new SizeLimitError(`${this.name}: manifest ${desc.digest} is over ${MAX_MANIFEST_BYTES} bytes`);
    verifyBytes(bytes, desc.digest, desc.size, 'manifest');
    const path = this.blobPath(desc.digest);
    await this.prepare();
    await writeBytesAtomically(path, bytes);
  }

  async tag(desc: Descriptor, bytes: Uint8Array, tag: string, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    if (!isValidTag(tag)) throw new UnsupportedError(`${this.name}: invalid tag "${tag}"`);
    await this.pushManifest(desc, bytes, opts);
    const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations: { [REF_NAME]: tag } };
    await updateIndex(this.dir, (index) => {
      // One entry per tag name: the first keeps its place, any duplicates go.
      const at = index.manifests.findIndex((d) => d.annotations?.[REF_NAME] === tag);
      index.manifests = index.manifests.filter((d, i) => i === at || d.annotations?.[REF_NAME] !== tag);
      if (at < 0) index.manifests.push(entry);
      else index.manifests[at] = entry;
    });
  }

  async listTags(opts?: CallOptions): Promise<string[]> {
    checkSignal(opts);
    await checkLayoutVersion(this.dir);
    return [...new Set(taggedEntries(await readIndex(this.dir)).map((e) => e.tag))].sort();
  }

  private blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.dir, 'blobs', algorithm, hex);
  }

  // A blob asked for as a manifest is "not found", as a registry's /manifests/ would answer.
  private mediaTypeOf(bytes: Uint8Array, digest: string): string {
    try {
      return parseManifest(bytes).mediaType;
    } catch (err) {
      if (err instanceof UnsupportedError) throw new NotFoundError(`${this.name}: ${digest} is not a manifest (${err.message})`);
      throw err;
    }
  }

  private prepare(): Promise<void> {
    this.prepared ??= prepareLayout(this.dir).catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }
}

/** Opens the layout at `dir` (created on first write); for `oci:DIR/<name>` sources and targets. */
export function openLayoutRepository(dir: string): LayoutRepository {
  return new LayoutRepository(dir);
}

function checkSignal(opts: CallOptions | undefined): void {
  if (opts?.signal?.aborted) throw new AbortedError('aborted');
}
