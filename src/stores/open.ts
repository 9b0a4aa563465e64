// Opens any repository reference (registry or oci: layout) behind the one storage interface,
// so the use cases never care where content lives.
import path from 'node:path';
import type { Repository, RepositoryOpener } from '../content/storage.js';
import { openLayoutRepository } from '../content/layout/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryRef } from '../types/reference.js';

/** How a use case touches a repository: read (sources) or read+write (targets). */
export type Access = 'pull' | 'push';

/** One place to turn references into stores; layout paths resolve against `cwd`. */
export class Stores implements RepositoryOpener {
  private readonly layouts = new Map<string, Repository>();

  constructor(
    readonly client: RegistryClient,
    private readonly cwd = process.cwd(),
  ) {}

  open(ref: RepositoryRef, access: Access): Repository {
    if (ref.scheme === 'registry') return this.client.repository(ref.registry, ref.repository, access);
    const dir = path.resolve(this.cwd, ref.dir);
    const key = `${access}\0${dir}`;
    let repo = this.layouts.get(key);
    // A source layout shows its untagged OCI 1.1 referrers as fallback tags; a target never does.
    if (!repo) this.layouts.set(key, (repo = openLayoutRepository(dir, { fallbackTags: access === 'pull' })));
    return repo;
  }
}
