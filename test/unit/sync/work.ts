// One image item as the sync and verify use cases take it: quay.test/jetstack/app mirrored to
// cert-manager/app on each of `registries`, every tag, referrers on (shared by the sync unit tests).
import type { ImageItem } from '../../../src/config/model.js';
import type { ImageWork } from '../../../src/config/workitems.js';
import { MemoryRegistry, type MemoryRepository } from '../../../src/content/memory.js';
import type { Repository, RepositoryOpener } from '../../../src/content/storage.js';
import type { RepositoryRef } from '../../../src/types/reference.js';

type RegistryRef = Extract<RepositoryRef, { scheme: 'registry' }>;

/**
 * Stores as runSync opens them: one MemoryRegistry per host, created on first use. `decorate`
 * sees each repository as it is opened (to wrap its methods) and returns what the run gets.
 */
export function memoryStores(decorate: (ref: RegistryRef, repo: MemoryRepository) => Repository = (_ref, repo) => repo) {
  const hosts = new Map<string, MemoryRegistry>();
  const opener: RepositoryOpener = {
    open(ref: RepositoryRef): Repository {
      if (ref.scheme !== 'registry') throw new Error('registry refs only');
      let reg = hosts.get(ref.registry);
      if (!reg) hosts.set(ref.registry, (reg = new MemoryRegistry(ref.registry)));
      return decorate(ref, reg.repository(ref.repository));
    },
  };
  return { opener, hosts };
}

/** runSync's options for the unit tests: a real copy, no --force, four tags at a time. */
export const syncOptions = (opener: RepositoryOpener) => ({ stores: opener, dryRun: false, force: false, concurrency: 4 });

/** The work list of one item whose targets are `cert-manager/app` on each registry. */
export function oneImageWork(registries: string[]): ImageWork[] {
  const source: RepositoryRef = { scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' };
  const item: ImageItem = {
    sourceText: 'quay.test/jetstack/app', source, name: 'app', targets: [],
    tags: { include: [], exclude: [], latest: 0, explicit: [] }, hasTagRules: false,
    referrers: true, overwrite: false, engine: 'native', position: { line: 1, col: 1 },
  };
  const targets = registries.map((registry) => {
    const ref: RepositoryRef = { scheme: 'registry', registry, repository: 'cert-manager/app' };
    return { ref, display: `${registry}/cert-manager/app` };
  });
  return [{ item, index: 0, source, sourceDisplay: 'quay.test/jetstack/app', targets }];
}
