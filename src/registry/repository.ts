// The remote store the copier uses: Repository + BlobMounter + ReferrerLister over one
// repository of one registry (regclient's scheme/reg: one file per resource, this one joins them).
import type { Readable } from 'node:stream';
import type { BlobContent, BlobMounter, CallOptions, ManifestContent, MissingTeller, ReferrerLister, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { exists, fetchBlob, mountBlob } from './blobs.js';
import { blobAccess, openBlob, openBlobAt, type BlobAccess } from './blob-access.js';
import type { Reopened } from './blob-resume.js';
import type { HttpResponse } from './http/types.js';
import type { HostContext } from './host.js';
import { fetchManifest, resolveManifest } from './manifests.js';
import { putManifest } from './manifest-put.js';
import { listReferrers } from './referrers.js';
import { RepoContext } from './repo-context.js';
import { listTags } from './tags.js';
import { openUpload, pushBlob } from './upload.js';

/** A repository on a registry, reached through the host's authenticated, retried transport. */
export class RemoteRepository implements Repository, BlobMounter, ReferrerLister, MissingTeller {
  /** `host/path` as written in mirrors.yaml (never the endpoint URL). */
  readonly name: string;
  readonly mountScope: string;
  readonly mountPath: string;
  /** The PUT carrying a blob's bytes is never replayed in place: the copier makes up to the registry's maxAttempts whole uploads, each a pushBlob. */
  readonly uploadAttempts: number;
  private readonly repo: RepoContext;

  constructor(host: HostContext, path: string, access: 'pull' | 'push') {
    this.repo = new RepoContext(host, path, access);
    this.name = `${host.host}/${path}`;
    this.mountScope = host.host;
    this.mountPath = path;
    this.uploadAttempts = host.retry.maxAttempts;
  }

  missingRepository(): Error | undefined {
    return this.repo.host.missingRepositories.get(this.repo.path);
  }

  resolve(reference: string, opts?: CallOptions): Promise<Descriptor> {
    return resolveManifest(this.repo, reference, opts);
  }

  fetchManifest(reference: string, opts?: CallOptions): Promise<ManifestContent> {
    return fetchManifest(this.repo, reference, opts);
  }

  fetchBlob(desc: Descriptor, opts?: CallOptions): Promise<Readable> {
    return fetchBlob(this.repo, desc, opts);
  }

  exists(desc: Descriptor, opts?: CallOptions): Promise<boolean> {
    return exists(this.repo, desc, opts);
  }

  pushBlob(desc: Descriptor, content: BlobContent, opts?: CallOptions): Promise<void> {
    return pushBlob(this.repo, desc, content, opts);
  }

  openUpload(desc: Descriptor, opts?: CallOptions): void {
    openUpload(this.repo, desc, opts);
  }

  pushManifest(desc: Descriptor, bytes: Uint8Array, opts?: CallOptions): Promise<void> {
    return putManifest(this.repo, desc, bytes, desc.digest, opts);
  }

  tag(desc: Descriptor, bytes: Uint8Array, tag: string, opts?: CallOptions): Promise<void> {
    return putManifest(this.repo, desc, bytes, tag, opts);
  }

  listTags(opts?: CallOptions): Promise<string[]> {
    return listTags(this.repo, opts);
  }

  mountBlob(desc: Descriptor, fromPath: string, opts?: CallOptions): Promise<boolean> {
    return mountBlob(this.repo, desc, fromPath, opts);
  }

  /** How a client without our credentials can read `digest` (the gateway's redirect), or the open body. */
  blobAccess(digest: string, opts: CallOptions & { tryAnonymous: boolean; head?: boolean }): Promise<BlobAccess> {
    return blobAccess(this.repo, digest, opts);
  }

  /** The blob of `size` bytes from byte `offset` on: where a gateway stream that broke on another backend carries on. */
  openBlobAt(digest: string, offset: number, size: number, opts?: CallOptions): Promise<Reopened> {
    return openBlobAt(this.repo, digest, offset, size, opts);
  }

  /** The blob's bytes, whole: the gateway proving a blob it sent clients to. */
  openBlob(digest: string, opts?: CallOptions): Promise<HttpResponse> {
    return openBlob(this.repo, digest, opts);
  }

  referrers(subject: Descriptor, opts?: CallOptions): Promise<Descriptor[] | undefined> {
    return listReferrers(this.repo, subject, opts);
  }
}
