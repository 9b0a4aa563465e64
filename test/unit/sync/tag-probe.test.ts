// `sync --tag` without the targets' tag lists (src/inventory/tag-probe.ts): each target is asked
// for the tag alone, and the source's listing, still out as the image sets off, finds its
// signature tags. What a listing told before must still be found: a signature tag at a target
// holding another digest is a conflict, and a source listing that fails fails the rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSync } from '../../../src/sync/run.js';
import { RegistryResponseError } from '../../../src/types/errors.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

function world(sourceListing?: () => Promise<void>) {
  const listed: string[] = [];
  const { opener } = memoryStores((ref, repo) => {
    const listTags = repo.listTags.bind(repo);
    repo.listTags = async (opts) => {
      listed.push(`${ref.registry}/${ref.repository}`);
      if (ref.repository.startsWith('jetstack/')) await sourceListing?.();
      return listTags(opts);
    };
    return repo;
  });
  const open = (registry: string, repository: string) => opener.open({ scheme: 'registry', registry, repository }, 'push');
  return { opener, listed, open };
}

const sigOf = (digest: string) => `${digest.replace(':', '-')}.sig`;

test('sync --tag lists no target, and a signature tag there at another digest is still a conflict', async () => {
  const w = world();
  const image = buildImage('a');
  await pushImage(w.open('quay.test', 'jetstack/app'), image, 'v1.0.0');
  await pushImage(w.open('quay.test', 'jetstack/app'), buildImage('sig'), sigOf(image.index.desc.digest));
  await pushImage(w.open('mirror.test', 'cert-manager/app'), buildImage('other-sig'), sigOf(image.index.desc.digest));
  const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(w.opener), tags: ['v1.0.0'] });
  assert.deepEqual([...new Set(w.listed)], ['quay.test/jetstack/app'], 'the source alone is listed (its referrer tags)');
  const row = report.results.find((r) => r.tag === 'v1.0.0')!.targets[0]!;
  assert.equal(row.action, 'conflict', JSON.stringify(row));
  assert.match(row.detail, /referrer conflict: sha256-[0-9a-f]{64}\.sig points at sha256:/);
});

test('a source listing that fails once the tag was found fails the rows, saying why', async () => {
  const w = world(async () => {
    throw new RegistryResponseError('GET', 'https://quay.test/v2/jetstack/app/tags/list', 503);
  });
  await pushImage(w.open('quay.test', 'jetstack/app'), buildImage('a'), 'v1.0.0');
  const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(w.opener), tags: ['v1.0.0'] });
  const rows = report.results.flatMap((r) => r.targets);
  assert.equal(rows.length, 1, JSON.stringify(report.results));
  assert.equal(rows[0]!.action, 'failed');
  assert.match(rows[0]!.detail, /source: cannot list tags, which its signatures, attestations and SBOMs are found by: .*503/);
});

test('a signature tag is asked for at an unlisted target alongside its read at the source, not after it', async () => {
  let askedThere!: () => void;
  const asked = new Promise<'asked'>((resolve) => (askedThere = () => resolve('asked')));
  let heldUntil: 'asked' | 'cap' | undefined;
  const { opener } = memoryStores((ref, repo) => {
    if (ref.repository.startsWith('jetstack/')) {
      const fetchManifest = repo.fetchManifest.bind(repo);
      // The source answers the .sig only once the target was asked for it (or after 2 s, so the code before fails, not hangs).
      repo.fetchManifest = async (reference, opts) => {
        if (reference.endsWith('.sig')) heldUntil = await Promise.race([asked, new Promise<'cap'>((resolve) => setTimeout(() => resolve('cap'), 2000))]);
        return fetchManifest(reference, opts);
      };
    } else {
      const resolveTag = repo.resolve.bind(repo);
      repo.resolve = async (reference, opts) => {
        if (reference.endsWith('.sig')) askedThere();
        return resolveTag(reference, opts);
      };
    }
    return repo;
  });
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  const image = buildImage('a');
  await pushImage(src, image, 'v1.0.0');
  await pushImage(src, buildImage('sig'), sigOf(image.index.desc.digest));
  const { report } = await runSync(oneImageWork(['mirror.test']), { ...syncOptions(opener), tags: ['v1.0.0'] });
  assert.equal(report.summary.copied, 1, JSON.stringify(report.results));
  assert.equal(heldUntil, 'asked');
});
