// Two plain registries, the source holding tries/app:v1.0.0 (one OCI image): the bed of the tests of
// what a request given up on says (put-tries, get-tries), started before and removed after them.
import { after, before } from 'node:test';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';

/** The registries, set once `before` has run. */
export function triesBed(): { src: RunningRegistry; dst: RunningRegistry } {
  const bed = {} as { src: RunningRegistry; dst: RunningRegistry };
  before(async () => {
    [bed.src, bed.dst] = await Promise.all([startRegistry({}), startRegistry({})]);
    await seedImage({ url: bed.src.url }, { repository: 'tries/app', tags: ['v1.0.0'], single: true, format: 'oci' });
  });
  after(() => Promise.all([bed.src, bed.dst].filter(Boolean).map(destroyRegistry)));
  return bed;
}
