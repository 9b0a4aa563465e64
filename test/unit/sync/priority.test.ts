// Sync gives each tag its place in the run as the priority of every request its copy makes, so a
// registry's busy slots go to the oldest tags in flight first (Lanes) and the tags finish in turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallOptions, Repository } from '../../../src/content/storage.js';
import { runSync } from '../../../src/sync/run.js';
import { WRITE_LAG } from '../../../src/copy/context.js';
import { buildImage, pushImage } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions } from './work.js';

const CALLS = new Set(['fetchManifest', 'fetchBlob', 'exists', 'pushBlob', 'pushManifest', 'tag', 'mountBlob', 'resolve', 'referrers']);

/** `repo` with the options of every storage call recorded as [host, method, first argument, priority]. */
function recording(host: string, repo: Repository, calls: [string, string, string, number | undefined][]): Repository {
  return new Proxy(repo, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || !CALLS.has(String(name))) return value;
      return (...args: unknown[]) => {
        const opts = args.find((a): a is CallOptions => typeof a === 'object' && a !== null && 'signal' in a);
        const first = args[0];
        // A tag write is recorded by its tag; every other call by its reference or digest.
        const what = name === 'tag' ? String(args[2]) : typeof first === 'string' ? first : String((first as { digest?: string } | undefined)?.digest ?? '');
        calls.push([host, String(name), what, opts?.priority]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

test("every request of a tag's copy carries the tag's place in the run", async () => {
  const calls: [string, string, string, number | undefined][] = [];
  const { opener } = memoryStores((ref, repo) => recording(ref.registry, repo, calls));
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0'];
  for (const tag of tags) await pushImage(src, buildImage(tag), tag);
  calls.length = 0;
  const { report } = await runSync(oneImageWork(['ghcr.test', 'docker.test']), syncOptions(opener));
  assert.equal(report.summary.failed, 0);
  assert.equal(report.results.length, tags.length);

  // Each tag's own fetch of its root manifest: one distinct place per tag, in the order started.
  const roots = calls.filter(([host, method, what]) => host === 'quay.test' && method === 'fetchManifest' && tags.includes(what));
  assert.deepEqual(roots.map(([, , what]) => what).sort(), tags);
  assert.deepEqual(roots.map(([, , , priority]) => priority), tags.map((_t, i) => i));
  // Nothing the copies did went without a place: reads, checks and writes at every registry.
  assert.ok(calls.some(([host, method]) => host === 'ghcr.test' && method === 'pushBlob'));
  assert.ok(calls.some(([host, method]) => host === 'docker.test' && method === 'pushManifest'));
  const without = calls.filter(([, , , priority]) => priority === undefined);
  assert.deepEqual(without, [], 'storage calls made without the tag’s priority');
});

test("a tag's manifest writes queue WRITE_LAG places behind its reads; its blob work keeps its place", async () => {
  const calls: [string, string, string, number | undefined][] = [];
  const { opener } = memoryStores((ref, repo) => recording(ref.registry, repo, calls));
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'pull');
  const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'];
  const images = tags.map((tag) => buildImage(tag));
  for (const [i, tag] of tags.entries()) await pushImage(src, images[i]!, tag);
  calls.length = 0;
  const { report } = await runSync(oneImageWork(['ghcr.test']), syncOptions(opener));
  assert.equal(report.summary.failed, 0);

  for (const [place, tag] of tags.entries()) {
    const image = images[place]!;
    const tagWrites = calls.filter(([host, method, what]) => host === 'ghcr.test' && method === 'tag' && what === tag);
    assert.deepEqual(tagWrites.map(([, , , p]) => p), [place + WRITE_LAG], `${tag}: the tag PUT`);
    assert.ok(WRITE_LAG > 0 && tagWrites[0]![3]! > place, `${tag}: written after the reads of the tags behind it`);
    const children = new Set(image.manifests.map((m) => m.desc.digest));
    const childWrites = calls.filter(([host, method, what]) => host === 'ghcr.test' && method === 'pushManifest' && children.has(what));
    assert.equal(childWrites.length, children.size, `${tag}: every child manifest written`);
    for (const [, , , p] of childWrites) assert.equal(p, place + WRITE_LAG, `${tag}: a child manifest PUT`);
    const config = image.blobs[1]!.desc.digest; // each tag's own config blob
    const blobWork = calls.filter(([host, method, what]) => host === 'ghcr.test' && (method === 'pushBlob' || method === 'exists' || method === 'mountBlob') && what === config);
    assert.ok(blobWork.length > 0);
    for (const [, , , p] of blobWork) assert.equal(p, place, `${tag}: blob work keeps the tag's place`);
  }
});
