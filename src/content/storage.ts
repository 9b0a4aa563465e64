// The storage interface the copier walks (after oras-go's content.Storage + Resolver + Tagger).
// A remote registry repository, an OCI layout directory and a memory store all implement it;
// the copier knows nothing else. Optional powers are separate interfaces found by a type check.
import type { Readable } from 'node:stream';
import type { Again } from '../types/again.js';
import type { Descriptor } from '../types/descriptor.js';
import type { RepositoryRef } from '../types/reference.js';

/** Options every call accepts: the run's abort signal. */
export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Where this call's requests queue for a registry's busy request slots: lower goes first (sync
   * gives each tag its place in the run). Older tags finish first and free their place for the
   * next, instead of every tag in flight moving through the same phase in step.
   */
  priority?: number;
  /**
   * The call repeats one that failed (the copier's next whole upload of a blob, its source read
   * again): each request it sends is counted as a retry (-v's 'M retries'), as the transport
   * counts a request it asks again in place. A OneRetry is counted once, by the first request
   * sent under it: an upload sent again in chunks because the registry's upload policy adapted.
   */
  again?: Again;
}

/**
 * A blob's bytes on their way to a store: small blobs as bytes the copier has already verified
 * (replayable, no stream machinery), large ones as a stream.
 */
export type BlobContent = Readable | Uint8Array;

/**
 * Blobs up to this size are held in memory whole: the copier reads and verifies them before any
 * destination sees a byte, and the registry client can replay every request of their upload.
 * Larger ones stream.
 */
export const SMALL_BLOB_BYTES = 4 * 1024 * 1024;

/** A manifest or index with the exact bytes its digest was computed over. */
export interface ManifestContent {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** One repository's content, addressed by digest, with tags on top. */
export interface Repository {
  /** How users write this repository (`quay.io/jetstack/x`, `oci:./out/x`); for messages. */
  readonly name: string;
  /** Tag or digest → descriptor of the manifest (HEAD). Throws NotFoundError. */
  resolve(reference: string, opts?: CallOptions): Promise<Descriptor>;
  /** Tag or digest → the manifest bytes, verified against their digest, at most 4 MiB. */
  fetchManifest(reference: string, opts?: CallOptions): Promise<ManifestContent>;
  /** Opens a blob's byte stream. Unverified: the copier pipes it through VerifyingStream. */
  fetchBlob(desc: Descriptor, opts?: CallOptions): Promise<Readable>;
  /** Whether a blob (or a manifest, by its media type) is present. */
  exists(desc: Descriptor, opts?: CallOptions): Promise<boolean>;
  /** Uploads a blob; `content` is (or yields) exactly desc.size bytes hashing to desc.digest. */
  pushBlob(desc: Descriptor, content: BlobContent, opts?: CallOptions): Promise<void>;
  /**
   * Starts what the next pushBlob of `desc` would start first (a registry's upload session), while
   * its bytes are still being read: that push takes it. Optional: a store that needs no such step lacks it.
   */
  openUpload?(desc: Descriptor, opts?: CallOptions): void;
  /** Stores manifest bytes under their digest (untagged). */
  pushManifest(desc: Descriptor, bytes: Uint8Array, opts?: CallOptions): Promise<void>;
  /** Points `tag` at the manifest `desc` (whose bytes are given: registries tag by PUT). */
  tag(desc: Descriptor, bytes: Uint8Array, tag: string, opts?: CallOptions): Promise<void>;
  /** Every tag, all pages. A repository that does not exist has none. */
  listTags(opts?: CallOptions): Promise<string[]>;
  /** Whole uploads of a blob to try before giving up (a registry's `maxAttempts`); the copier's default where unset. */
  readonly uploadAttempts?: number;
}

/** Repositories that can take a blob from a sibling repository without the bytes (same registry). */
export interface BlobMounter {
  /** Identifies the store whose repositories can mount from one another (e.g. the registry host). */
  readonly mountScope: string;
  /** Path of this repository inside its mount scope (what `from=` names). */
  readonly mountPath: string;
  /** True when the blob is now present; false when the registry wants an upload instead. */
  mountBlob(desc: Descriptor, fromPath: string, opts?: CallOptions): Promise<boolean>;
}

/** Repositories that can list OCI 1.1 referrers of a digest. */
export interface ReferrerLister {
  /** Referrer descriptors, or undefined when the store has no referrers API (use the fallback tag). */
  referrers(subject: Descriptor, opts?: CallOptions): Promise<Descriptor[] | undefined>;
}

/** Opens repositories by reference: the registry client, a layout directory, or memory in tests. */
export interface RepositoryOpener {
  /** `access` decides the credentials asked for: 'pull' for sources, 'push' for targets. */
  open(ref: RepositoryRef, access: 'pull' | 'push'): Repository;
}

/** Type check for the optional mount power. */
export function canMount(r: Repository): r is Repository & BlobMounter {
  return typeof (r as Partial<BlobMounter>).mountBlob === 'function';
}

/**
 * Stores that know a blob's stored size without reading it (a layout's blob is a file): a
 * descriptor that misstates it is found even where no destination will read the blob.
 */
export interface BlobSizer {
  /** The stored blob's size in bytes; undefined when the store does not hold it. */
  storedSize(desc: Descriptor): Promise<number | undefined>;
}

/** Type check for the optional size power. */
export function canSize(r: Repository): r is Repository & BlobSizer {
  return typeof (r as Partial<BlobSizer>).storedSize === 'function';
}

/**
 * Stores that know, before any write, that their repository is missing and that no write creates it
 * (a registry that said so when listed: Amazon ECR), so a plan can say what its sync would meet.
 */
export interface MissingTeller {
  /** Why writes there will fail, or undefined when nothing says so. */
  missingRepository(): Error | undefined;
}

/** Type check for the optional missing-repository power. */
export function canTellMissing(r: Repository): r is Repository & MissingTeller {
  return typeof (r as Partial<MissingTeller>).missingRepository === 'function';
}

/** Why writes to `r` will fail, when its store knows its repository is missing (MissingTeller). */
export function missingRepositoryOf(r: Repository): Error | undefined {
  return canTellMissing(r) ? r.missingRepository() : undefined;
}

/** Type check for the optional referrers power. */
export function canListReferrers(r: Repository): r is Repository & ReferrerLister {
  return typeof (r as Partial<ReferrerLister>).referrers === 'function';
}
