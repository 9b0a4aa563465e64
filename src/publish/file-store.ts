// The release files as a read-only source store, so publishing is an ordinary graph copy
// (oras-go's file store → remote repository): the copier skips what targets hold, reads each
// file once for all targets, and checks every byte against the digest computed beforehand.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ManifestContent, Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { NotFoundError, UnsupportedError } from '../types/errors.js';
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from './manifest.js';
import type { ReleaseFile } from './files.js';

/** One artifact (its manifest, its config: the empty one or a chart's, and the files) behind the Repository interface. */
export class ReleaseFileStore implements Repository {
  private readonly byDigest = new Map<string, ReleaseFile>();

  constructor(
    readonly name: string,
    private readonly root: ManifestContent,
    files: ReleaseFile[],
    private readonly config: { descriptor: Descriptor; bytes: Buffer } = { descriptor: EMPTY_CONFIG, bytes: EMPTY_CONFIG_BYTES },
  ) {
    for (const f of files) this.byDigest.set(f.digest, f);
  }

  async resolve(reference: string): Promise<Descriptor> {
    return (await this.fetchManifest(reference)).descriptor;
  }

  async fetchManifest(reference: string): Promise<ManifestContent> {
    if (reference !== this.root.descriptor.digest) throw new NotFoundError(`${this.name}: no manifest ${reference}`);
    return this.root;
  }

  async fetchBlob(desc: Descriptor): Promise<Readable> {
    if (desc.digest === this.config.descriptor.digest) return Readable.from([this.config.bytes]);
    const file = this.byDigest.get(desc.digest);
    if (!file) throw new NotFoundError(`${this.name}: no blob ${desc.digest}`);
    return createReadStream(file.path);
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return desc.digest === this.root.descriptor.digest || desc.digest === this.config.descriptor.digest || this.byDigest.has(desc.digest);
  }

  async listTags(): Promise<string[]> {
    return [];
  }

  pushBlob(): Promise<void> {
    return this.readOnly();
  }

  pushManifest(): Promise<void> {
    return this.readOnly();
  }

  tag(): Promise<void> {
    return this.readOnly();
  }

  private async readOnly(): Promise<never> {
    throw new UnsupportedError(`${this.name}: release files are read-only`);
  }
}
