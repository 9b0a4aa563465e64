// One OCI image layout directory as a Repository (image-spec image-layout.md; after regclient's
// ocidir): blobs and manifests under blobs/<alg>/<hex>, tags as ref.name entries of index.json.
// No mounting and no referrers API: signatures travel as cosign-style tags (`sha256-HEX.sig`);
// as a source, untagged OCI 1.1 referrers show as their fallback tag (fallback.ts).
import type { Readable } from 'node:stream';
import { open, stat } from 'node:fs/promises';
import { AbortedError, NotFoundError, UnsupportedError } from '../../types/errors.js';
import { VerifyingStream, sha256, verifyBytes } from '../../types/digest.js';
import type { Descriptor } from '../../types/descriptor.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX, manifestTooLarge, parseManifest, schemaOne, schemaOneRefusal } from '../../types/mediatype.js';
import { isValidTag } from '../../types/reference.js';
import type { BlobContent, CallOptions, ManifestContent, Repository } from '../storage.js';
import { fallbackIndexes } from './fallback.js';
import { isMissing, readCapped, writeBytesAtomically, writeStreamAtomically } from './files.js';
import { REF_NAME, blobPath, checkLayoutVersion, prepareLayout, readIndex, tagEntry, taggedEntries, updateIndex } from './index-file.js';

/** How a layout is opened: sources show untagged referrers as fallback tags, targets do not. */
export interface LayoutOptions {
  fallbackTags?: boolean;
}

/** A layout directory read and written like a registry repository (`oci:DIR`). */
export class LayoutRepository implements Repository {
  readonly name: string;
  private prepared: Promise<void> | undefined;
  private fallbacks: Promise<Map<string, Uint8Array>> | undefined;

  constructor(readonly dir: string, private readonly options: LayoutOptions = {}) {
    this.name = `oci:${dir}`;
  }

  async resolve(reference: string, opts?: CallOptions): Promise<Descriptor> {
    return (await this.fetchManifest(reference, opts)).descriptor;
  }

  // The descriptor names the manifest's own media type, read from its bytes, never index.json's:
  // an entry may name another type (go-containerregistry's test layouts put Docker manifests
  // under OCI or unknown types), and a registry refuses a manifest PUT under the wrong one.
  async fetchManifest(reference: string, opts?: CallOptions): Promise<ManifestContent> {
    checkSignal(opts);
    const fallback = reference.includes(':') ? undefined : (await this.fallbackTags()).get(reference);
    if (fallback) return { descriptor: { mediaType: OCI_INDEX, digest: sha256(fallback), size: fallback.byteLength }, bytes: fallback };
    const tagged = reference.includes(':') ? undefined : await this.entryFor(reference);
    const digest = tagged?.digest ?? reference;
    const bytes = await readCapped(this.blobPath(digest), MAX_MANIFEST_BYTES,
      (size) => manifestTooLarge(`${this.name}: manifest ${digest}`, size),
      () => new NotFoundError(`${this.name}: manifest ${tagged ? `${digest} (tag ${reference})` : reference} not found`));
    const schema1 = tagged && schemaOne(tagged.mediaType, bytes);
    if (schema1) throw schemaOneRefusal(`${this.name}:${reference}`, schema1);
    verifyBytes(bytes, digest, tagged?.size, 'manifest');
    const mediaType = this.mediaTypeOf(bytes, digest, tagged && reference);
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes: new Uint8Array(bytes) };
  }

  // The index.json entry of a tag (refused when it is listed twice at two digests).
  private async entryFor(tag: string): Promise<Descriptor> {
    await checkLayoutVersion(this.dir);
    const found = tagEntry(await readIndex(this.dir), tag, this.name);
    if (!found) throw new NotFoundError(`${this.name}: tag ${tag} not found`);
    return found;
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

  /** The blob file's size (BlobSizer): one stat, no read. */
  async storedSize(desc: Descriptor): Promise<number | undefined> {
    return stat(this.blobPath(desc.digest)).then((s) => s.size, (err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
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
    if (bytes.byteLength > MAX_MANIFEST_BYTES) throw manifestTooLarge(`${this.name}: manifest ${desc.digest}`, bytes.byteLength);
    verifyBytes(bytes, desc.digest, desc.size, 'manifest');
    const path = this.blobPath(desc.digest);
    await this.prepare();
    await writeBytesAtomically(path, bytes);
  }

  async tag(desc: Descriptor, bytes: Uint8Array, tag: string, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    if (!isValidTag(tag)) throw new UnsupportedError(`${this.name}: invalid tag "${tag}"`);
    await this.pushManifest(desc, bytes, opts);
    // index.json names the manifest's own media type (as fetchManifest reads it and a registry PUT
    // sends it), never a descriptor's that says otherwise: a Docker manifest stays Docker.
    const entry: Descriptor = { mediaType: ownMediaType(bytes, desc.mediaType), digest: desc.digest, size: desc.size, annotations: { [REF_NAME]: tag } };
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
    const tags = taggedEntries(await readIndex(this.dir)).map((e) => e.tag);
    return [...new Set([...tags, ...(await this.fallbackTags()).keys()])].sort();
  }

  // Built once per run (a source is not written to meanwhile); never for targets.
  private fallbackTags(): Promise<Map<string, Uint8Array>> {
    if (!this.options.fallbackTags) return Promise.resolve(new Map());
    this.fallbacks ??= (async () => {
      await checkLayoutVersion(this.dir);
      const read = async (digest: string) => (await this.fetchManifest(digest)).bytes;
      return fallbackIndexes(await readIndex(this.dir), read);
    })();
    return this.fallbacks;
  }

  /** index.json entries without a tag name: listed by other tools, but nothing to mirror by tag. */
  async untagged(opts?: CallOptions): Promise<Descriptor[]> {
    checkSignal(opts);
    await checkLayoutVersion(this.dir);
    return (await readIndex(this.dir)).manifests.filter((d) => typeof d.annotations?.[REF_NAME] !== 'string');
  }

  private blobPath(digest: string): string {
    return blobPath(this.dir, digest);
  }

  // A blob asked for by digest as a manifest is "not found", as a registry's /manifests/ would
  // answer; a tag on content no registry would take as a manifest is unsupported, for that tag.
  private mediaTypeOf(bytes: Uint8Array, digest: string, tag?: string): string {
    try {
      return parseManifest(bytes).mediaType;
    } catch (err) {
      if (!(err instanceof UnsupportedError)) throw err;
      if (tag === undefined) throw new NotFoundError(`${this.name}: ${digest} is not a manifest (${err.message})`);
      throw new UnsupportedError(`${this.name}: tag ${tag} points at ${digest}, which is not a manifest a registry accepts (${err.message})`);
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
export function openLayoutRepository(dir: string, options: LayoutOptions = {}): LayoutRepository {
  return new LayoutRepository(dir, options);
}

// The type the bytes say they are (their `mediaType`, else their shape); the descriptor's when unparseable.
function ownMediaType(bytes: Uint8Array, declared: string): string {
  try {
    return parseManifest(bytes, declared).mediaType;
  } catch (err) {
    if (err instanceof UnsupportedError) return declared;
    throw err;
  }
}

function checkSignal(opts: CallOptions | undefined): void {
  if (opts?.signal?.aborted) throw new AbortedError('aborted');
}
