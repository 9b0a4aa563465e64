// One image item as the sync and verify use cases take it: quay.test/jetstack/app mirrored to
// cert-manager/app on each of `registries`, every tag, referrers on (shared by the sync unit tests).
import type { ImageItem } from '../../../src/config/model.js';
import type { ImageWork } from '../../../src/config/workitems.js';
import type { RepositoryRef } from '../../../src/types/reference.js';

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
