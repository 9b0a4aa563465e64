// `sync --tag vX.Y.Z` (src/inventory/discover.ts prefetchRoots): the tag's manifest is read while
// the tag lists are still out, so a release-time copy starts a round trip sooner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync } from '../../../src/sync/run.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

function world() {
  const events: string[] = [];
  let listed!: () => void;
  const manifestAsked = new Promise<void>((resolve) => (listed = resolve));
  const wrapped = new WeakSet<object>();
  const { opener } = memoryStores((ref, repo) => {
    // The store hands out one repository object per path: wrap it once.
    if (!ref.repository.startsWith('jetstack/') || wrapped.has(repo)) return repo;
    wrapped.add(repo);
    const listTags = repo.listTags.bind(repo);
    const fetchManifest = repo.fetchManifest.bind(repo);
    // The source's tag list answers only once the tag's manifest has been asked for (or after
    // 2 s, so that a run reading it only after the listing fails here instead of hanging).
    repo.listTags = async (opts) => {
      await Promise.race([manifestAsked, new Promise((resolve) => setTimeout(resolve, 2000))]);
      events.push('listed');
      return listTags(opts);
    };
    repo.fetchManifest = async (reference, opts) => {
      if (!reference.startsWith('sha256:')) (events.push(`fetch ${reference}`), listed());
      return fetchManifest(reference, opts);
    };
    return repo;
  });
  return { opener, events };
}

test('sync --tag reads the tag\'s manifest alongside the tag lists, once', async () => {
  const w = world();
  const src = w.opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  await pushImage(src, buildImage('a'), 'v1.0.0', 'v1.1.0');
  w.events.length = 0;
  const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(w.opener), tags: ['v1.0.0'] });
  assert.equal(report.summary.failed, 0);
  // Its other spelling (1.0.0) is asked for too, by HEAD at a registry (inventory/tag-probe.ts).
  assert.deepEqual(w.events.filter((e) => e !== 'listed' && e !== 'fetch 1.0.0'), ['fetch v1.0.0'], 'one read of the tag asked for');
  assert.ok(w.events.indexOf('fetch v1.0.0') < w.events.indexOf('listed'), w.events.join(', '));
});

test('a --tag the source lacks is reported as absent, its failed read unheard', async () => {
  const w = world();
  const src = w.opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  await pushImage(src, buildImage('a'), 'v1.0.0');
  const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(w.opener), tags: ['v9.9.9'] });
  const row = report.results.find((r) => r.tag === 'v9.9.9');
  assert.ok(row, JSON.stringify(report.results));
  assert.ok(row.targets.every((t) => t.action === 'failed' && /source has no tag v9\.9\.9/.test(t.detail)), JSON.stringify(row));
});
