// Signatures travel alongside their image (so a distant registry's round trips overlap) but are
// tagged only where the image is in place: over memory registries, no HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageWork } from '../../../src/config/workitems.js';
import { runSync } from '../../../src/sync/run.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions as opts } from './work.js';

interface Hooks {
  /** Awaited before each blob push to a target (lets a test hold the image copy back). */
  beforeTargetBlob?: () => Promise<void>;
  /** Throws to refuse a tag write at a target. */
  onTag?: (registry: string, tag: string) => void;
  /** Told when the source serves a manifest by tag. */
  onSourceFetch?: (reference: string) => void;
  /** The source has the referrers API (listing nothing) and records each listing. */
  listing?: boolean;
}

function world(hooks: Hooks) {
  const events: string[] = [];
  const { opener, hosts } = memoryStores((ref, repo) => {
    if (ref.repository.startsWith('jetstack/')) {
      const fetchManifest = repo.fetchManifest.bind(repo);
      repo.fetchManifest = async (reference, opts) => {
        if (!reference.startsWith('sha256:')) (events.push(`fetch ${reference}`), hooks.onSourceFetch?.(reference));
        return fetchManifest(reference, opts);
      };
      if (hooks.listing) {
        return Object.assign(repo, {
          referrers: async (subject: { digest: string }) => {
            events.push(`list ${subject.digest}`);
            return [];
          },
        });
      }
      return repo;
    }
    const tag = repo.tag.bind(repo);
    repo.tag = async (desc, bytes, name, opts) => {
      hooks.onTag?.(ref.registry, name);
      await tag(desc, bytes, name, opts);
      events.push(`tag ${ref.registry} ${name}`);
    };
    const pushBlob = repo.pushBlob.bind(repo);
    repo.pushBlob = async (desc, content, opts) => {
      await hooks.beforeTargetBlob?.();
      return pushBlob(desc, content, opts);
    };
    return repo;
  });
  return { opener, events, hosts };
}

const work = (): ImageWork[] => oneImageWork(['mirror-a.test', 'mirror-b.test']);

async function seed(w: ReturnType<typeof world>): Promise<string> {
  const src = w.opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  const image = buildImage('a');
  await pushImage(src, image, 'v1.0.0');
  const sigTag = `${image.index.desc.digest.replace(':', '-')}.sig`;
  await pushImage(src, buildImage('signature-of-a'), sigTag);
  w.events.length = 0;
  return sigTag;
}

test('a signature is read from the source while its image is still copying, and tagged after the image', async () => {
  let sigTag = '';
  let sigFetched!: () => void;
  const fetched = new Promise<void>((resolve) => (sigFetched = resolve));
  // The image's blobs wait until the signature has been asked for (or 5 s pass, so that a copier
  // reading it only after the image fails this test instead of hanging).
  const w = world({
    beforeTargetBlob: () => Promise.race([fetched, new Promise<void>((resolve) => setTimeout(resolve, 5000))]),
    onSourceFetch: (reference) => reference === sigTag && sigFetched(),
  });
  sigTag = await seed(w);
  const { report } = await runSync(work(), opts(w.opener));
  assert.equal(report.summary.failed, 0);
  const at = (event: string) => w.events.indexOf(event);
  for (const host of ['mirror-a.test', 'mirror-b.test']) {
    assert.ok(at(`fetch ${sigTag}`) >= 0 && at(`fetch ${sigTag}`) < at(`tag ${host} v1.0.0`), `signature read before the image is tagged at ${host}: ${w.events.join(', ')}`);
    assert.ok(at(`tag ${host} v1.0.0`) < at(`tag ${host} ${sigTag}`), `signature tagged after its image at ${host}: ${w.events.join(', ')}`);
  }
});

test('a signature is never tagged where its image failed; the other target gets both', async () => {
  const w = world({
    onTag: (registry, tag) => {
      if (registry === 'mirror-b.test' && tag === 'v1.0.0') throw new Error('mirror-b refused the tag');
    },
  });
  const sigTag = await seed(w);
  const { report } = await runSync(work(), opts(w.opener));
  const rows = report.results.find((r) => r.tag === 'v1.0.0')!.targets;
  const b = rows.find((t) => t.repository.startsWith('mirror-b.test'))!;
  assert.equal(b.action, 'failed');
  assert.match(b.detail, /mirror-b refused the tag/);
  assert.doesNotMatch(b.detail, /referrer/, 'the held-back signature is not reported as a second failure');
  assert.equal(rows.find((t) => t.repository.startsWith('mirror-a.test'))!.action, 'copied');
  assert.ok(w.events.includes(`tag mirror-a.test ${sigTag}`));
  assert.ok(!w.events.includes(`tag mirror-b.test ${sigTag}`), `no signature at mirror-b: ${w.events.join(', ')}`);
  assert.deepEqual(await w.hosts.get('mirror-b.test')!.repository('cert-manager/app').listTags(), []);
});

test('the source is asked for its referrers while the image copies, not after its signature is tagged', async () => {
  const w = world({ listing: true });
  const sigTag = await seed(w);
  const { report } = await runSync(work(), opts(w.opener));
  assert.equal(report.summary.failed, 0);
  const at = (event: string) => w.events.indexOf(event);
  const digest = `sha256:${sigTag.slice('sha256-'.length, -'.sig'.length)}`;
  assert.ok(at(`list ${digest}`) >= 0, w.events.join(', '));
  for (const host of ['mirror-a.test', 'mirror-b.test']) {
    assert.ok(at(`list ${digest}`) < at(`tag ${host} v1.0.0`), `the image's referrers listed before it is tagged at ${host}: ${w.events.join(', ')}`);
  }
  const listings = w.events.filter((e) => e.startsWith('list '));
  const lastListing = w.events.lastIndexOf(listings[listings.length - 1]!);
  assert.ok(lastListing < at(`tag mirror-a.test ${sigTag}`) && lastListing < at(`tag mirror-b.test ${sigTag}`), `no listing after the signature is tagged: ${w.events.join(', ')}`);
});
