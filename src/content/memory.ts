// An in-memory repository (after oras-go's memory store) that behaves like a registry where it
// matters to the copier: every push is verified, manifests need their parts present first, tags
// point at verified manifest bytes, and repositories of one MemoryRegistry can mount blobs.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortedError, NotFoundError, RegistryResponseError, UnsupportedError } from '../types/errors.js';
import { VerifyingStream, parseDigest, verifyBytes } from '../types/digest.js';
import type { Descriptor } from '../types/descriptor.js';
import { MAX_MANIFEST_BYTES, isManifestType, manifestTooLarge, parseManifest } from '../types/mediatype.js';
import { isValidTag } from '../types/reference.js';
import type { BlobContent, BlobMounter, CallOptions, ManifestContent, Repository } from './storage.js';

interface StoredManifest {
  mediaType: string;
  bytes: Uint8Array;
}

let scopes = 0;

/** A set of memory repositories that can mount blobs from one another, like one registry host. */
export class MemoryRegistry {
  private readonly repositories = new Map<string, MemoryRepository>();

  constructor(readonly scope = `memory-${++scopes}`) {}

  /** The repository at `path`, created empty on first use (as a registry creates on push). */
  repository(path: string): MemoryRepository {
    let repo = this.repositories.get(path);
    if (!repo) {
      repo = new MemoryRepository(path, this.scope, this);
      this.repositories.set(path, repo);
    }
    return repo;
  }

  /** The repository at `path` if anything ever asked for it; mounting never creates one. */
  existing(path: string): MemoryRepository | undefined {
    return this.repositories.get(path);
  }
}

/** A registry-exact repository held in Maps; what the copier's unit tests copy between. */
export class MemoryRepository implements Repository, BlobMounter {
  readonly name: string;
  readonly mountPath: string;
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly manifests = new Map<string, StoredManifest>();
  private readonly tags = new Map<string, string>();

  /** A standalone repository gets a scope of its own, so nothing else can mount from it. */
  constructor(
    path = 'memory',
    readonly mountScope = `memory-${++scopes}`,
    private readonly registry?: MemoryRegistry,
  ) {
    this.mountPath = path;
    this.name = `${mountScope}/${path}`;
  }

  async resolve(reference: string, opts?: CallOptions): Promise<Descriptor> {
    return (await this.fetchManifest(reference, opts)).descriptor;
  }

  async fetchManifest(reference: string, opts?: CallOptions): Promise<ManifestContent> {
    checkSignal(opts);
    const digest = this.digestFor(reference);
    const stored = digest === undefined ? undefined : this.manifests.get(digest);
    if (!digest || !stored) throw new NotFoundError(`${this.name}: manifest ${reference} not found`);
    verifyBytes(stored.bytes, digest, undefined, 'manifest');
    return { descriptor: { mediaType: stored.mediaType, digest, size: stored.bytes.byteLength }, bytes: Uint8Array.from(stored.bytes) };
  }

  async fetchBlob(desc: Descriptor, opts?: CallOptions): Promise<Readable> {
    checkSignal(opts);
    const bytes = this.blobs.get(desc.digest);
    if (!bytes) throw new NotFoundError(`${this.name}: blob ${desc.digest} not found`);
    return Readable.from([Buffer.from(bytes)]);
  }

  async exists(desc: Descriptor, opts?: CallOptions): Promise<boolean> {
    checkSignal(opts);
    const size = isManifestType(desc.mediaType) ? this.manifests.get(desc.digest)?.bytes.byteLength : this.blobs.get(desc.digest)?.byteLength;
    return size !== undefined && size === desc.size;
  }

  async pushBlob(desc: Descriptor, content: BlobContent, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    if (content instanceof Uint8Array) {
      verifyBytes(content, desc.digest, desc.size, 'blob');
      this.blobs.set(desc.digest, Buffer.from(content));
      return;
    }
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    try {
      await pipeline(content, new VerifyingStream(desc.digest, desc.size), collect, opts?.signal ? { signal: opts.signal } : {});
    } catch (err) {
      if (opts?.signal?.aborted) throw new AbortedError(`${this.name}: upload of ${desc.digest} aborted`);
      throw err;
    }
    this.blobs.set(desc.digest, Buffer.concat(chunks));
  }

  async pushManifest(desc: Descriptor, bytes: Uint8Array, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    this.storeManifest(desc, bytes);
  }

  async tag(desc: Descriptor, bytes: Uint8Array, tag: string, opts?: CallOptions): Promise<void> {
    checkSignal(opts);
    if (!isValidTag(tag)) throw new UnsupportedError(`${this.name}: invalid tag "${tag}"`);
    this.storeManifest(desc, bytes);
    this.tags.set(tag, desc.digest);
  }

  async listTags(opts?: CallOptions): Promise<string[]> {
    checkSignal(opts);
    return [...this.tags.keys()].sort();
  }

  async mountBlob(desc: Descriptor, fromPath: string, opts?: CallOptions): Promise<boolean> {
    checkSignal(opts);
    const bytes = this.registry?.existing(fromPath)?.blobs.get(desc.digest);
    // A registry that cannot mount starts an upload instead: the caller pushes the bytes.
    if (!bytes || bytes.byteLength !== desc.size) return false;
    this.blobs.set(desc.digest, bytes);
    return true;
  }

  private digestFor(reference: string): string | undefined {
    if (reference.includes(':')) {
      parseDigest(reference);
      return reference;
    }
    return this.tags.get(reference);
  }

  // Verifies like a registry's manifest PUT: exact bytes, size cap, and every part already here.
  private storeManifest(desc: Descriptor, bytes: Uint8Array): void {
    if (bytes.byteLength > MAX_MANIFEST_BYTES) throw manifestTooLarge(`${this.name}: manifest ${desc.digest}`, bytes.byteLength);
    verifyBytes(bytes, desc.digest, desc.size, 'manifest');
    const parsed = parseManifest(bytes, desc.mediaType);
    const missing = [
      ...parsed.manifests.filter((m) => !this.manifests.has(m.digest)),
      ...parsed.blobs.filter((b) => !b.urls?.length && !this.blobs.has(b.digest)),
    ];
    if (missing.length > 0) {
      throw new RegistryResponseError('PUT', `memory://${this.name}/manifests/${desc.digest}`, 400,
        missing.map((m) => ({ code: 'MANIFEST_BLOB_UNKNOWN', message: `blob unknown to registry: ${m.digest}` })));
    }
    this.manifests.set(desc.digest, { mediaType: desc.mediaType, bytes: Uint8Array.from(bytes) });
  }
}

function checkSignal(opts: CallOptions | undefined): void {
  if (opts?.signal?.aborted) throw new AbortedError('aborted');
}
