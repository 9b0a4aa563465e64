// engine: skopeo under sporadic faults (issue 9): a registry that answers now and then a blob
// check with 500 while it serves every other request. One skopeo copy of a multi-platform image
// makes a dozen such checks, and skopeo's --retry-times does not retry a 500 on one, so each run of
// the copy meets a fault more often than not: with 10 % of checks failing, the re-run budget
// (maxAttempts runs) failed 4–12 of 80 copies per sync where the native engine, retrying each
// request, failed none. A run that fails somewhere other than the run before got past that point,
// as a request of the native client that works on its retry; maxAttempts runs failing at one
// point in a row end the copy (skopeo-retry.test.ts: a 502 without end gives up after maxAttempts
// runs; skopeo-streak.test.ts).
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SkopeoEngine } from '../../../src/engines/skopeo.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor, registrySettings } from '../../harness/tls-bed.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { countingSkopeo, skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let proxy: FaultProxy;
let work: string;
let flaky: SeededImage | undefined;
let steady: SeededImage | undefined;
const faulted = new Set<string>();

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  [flaky] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 3 });
  [steady] = await seedImage({ url: source.url }, { repository: 'jetstack/other', tags: ['v2.0.0'], format: 'oci', single: true });
  // The first check of each of the flaky image's blobs fails, as a registry under load does now
  // and then: skopeo copies the platforms one after another and stops at the first 500, so each
  // run of the copy fails one platform further on (3 platforms: 4 runs or more) and the registry serves
  // every other request meanwhile.
  const blobs = new Set(flaky!.blobDigests);
  proxy = await proxyFor(target, {
    personalities: [(ex) => {
      const digest = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(ex.path)?.[1];
      if (ex.method !== 'HEAD' || !digest || !blobs.has(digest) || faulted.has(digest)) return false;
      faulted.add(digest);
      ex.fail(500, 'UNKNOWN', 'sporadic fault');
      return true;
    }],
  });
  work = await scratchDir('skopeo-sporadic');
});
after(async () => {
  await proxy.close();
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
  await rm(work, { recursive: true, force: true });
});

it('a copy that fails one step further on each run, while other copies to the registry work, lands with maxAttempts: 3', { timeout: 240_000 }, async () => {
  const skopeo = await countingSkopeo(work);
  const at = (reg: { host: string }, repository: string): RepositoryRef => ({ scheme: 'registry', registry: reg.host, repository });
  const registries = registrySettings([source, [{ host: proxy.host, caFile: target.caFile }, { maxAttempts: 3 }]]);
  const engine = new SkopeoEngine({ credentials: async () => undefined, binary: skopeo.binary, backoffBaseMs: 20, registries });
  // Other tags of the run keep landing in the same registry (one copy first, so it is known to work).
  let done = false;
  let steadyCopies = 0;
  const copySteady = () => engine.copy({ source: at(source, 'jetstack/other'), target: at(proxy, `mirror/other${steadyCopies++}`), tag: steady!.tag, digest: steady!.digest });
  await copySteady();
  const background = (async () => { while (!done) await copySteady(); })();
  try {
    await engine.copy({ source: at(source, 'jetstack/app'), target: at(proxy, 'mirror/app'), tag: flaky!.tag, digest: flaky!.digest });
  } finally {
    done = true;
    await background;
    await engine.close();
  }
  assert.equal(faulted.size, flaky!.blobDigests.length, 'every blob check of the image failed once');
  const flakyRuns = (await skopeo.runs()) - steadyCopies;
  // After its first failure the index goes on in pieces (3 platforms, then the index alone): each
  // injected fault costs one run, each piece one run that lands, and nothing more.
  const bound = faulted.size + flaky!.childDigests.length + 1;
  assert.ok(flakyRuns > 3 && flakyRuns <= bound, `${flakyRuns} runs: more than maxAttempts, at most one per fault and one per piece (${bound})`);
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:${flaky!.tag}`), flaky!.digest);
});
