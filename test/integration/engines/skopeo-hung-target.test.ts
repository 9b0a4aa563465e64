// engine: skopeo and a target that hangs (issue 9: a registry stuck behind its front end; the
// kernel still accepts connections, nothing answers). Each skopeo run waits out its TLS handshake
// timeout on every --retry-times try (about 50 s); each copy was run again up to maxAttempts times
// (over 4 min a copy), and every copy still queued did the same. The first copy to meet the
// silence records the address and ends after its first run; later copies check it with one
// handshake (5 s) and fail at once with that copy's line while it stays silent. skopeo's runs are
// counted through a wrapper, so the test proves it by runs, not by the clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SkopeoEngine } from '../../../src/engines/skopeo.js';
import { CopyError } from '../../../src/types/errors.js';
import type { RepositoryRef } from '../../../src/types/reference.js';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registrySettings } from '../../harness/tls-bed.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { countingSkopeo } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';

let source: RunningRegistry;
let target: RunningRegistry;
let images: SeededImage[];
let counting: Awaited<ReturnType<typeof countingSkopeo>>;
const at = (reg: { host: string }, repository: string): RepositoryRef => ({ scheme: 'registry', registry: reg.host, repository });

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  images = await seedImage({ url: source.url }, { repository: 'team/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2 });
  counting = await countingSkopeo(await scratchDir('skopeo-hung-target'));
});
after(async () => {
  target.hang(false);
  await Promise.all([destroyRegistry(source), destroyRegistry(target)]);
});

/** Copies one image, returning the error it failed with and how many skopeo runs it took. */
async function countedCopy(engine: SkopeoEngine, image: SeededImage): Promise<{ error: unknown; runs: number }> {
  await counting.reset();
  const error = await engine.copy({ source: at(source, 'team/app'), target: at(target, 'mirror/app'), tag: image.tag, digest: image.digest }).then(() => undefined, (err: unknown) => err);
  return { error, runs: await counting.runs() };
}

test('engine: skopeo: a hung target ends the first copy after one skopeo run, and the next after one handshake check', { timeout: 280_000 }, async () => {
  target.hang(true);
  const engine = new SkopeoEngine({ credentials: async () => undefined, binary: counting.binary, backoffBaseMs: 20, registries: registrySettings([source, [target, { maxAttempts: 2 }]]) });
  try {
    const first = await countedCopy(engine, images[0]!);
    assert.ok(first.error instanceof CopyError, String(first.error));
    assert.match(first.error.message, /TLS handshake timeout/);
    // One run waits out skopeo's own retries (about 50 s); the code before ran it maxAttempts times
    // (2 here, to keep the proof short).
    assert.equal(first.runs, 1);
    const second = await countedCopy(engine, images[1]!);
    assert.ok(second.error instanceof CopyError, String(second.error));
    assert.match(second.error.message, /TLS handshake timeout/);
    assert.equal(second.runs, 0, 'the second copy ran no skopeo: the handshake check found the target silent');
  } finally {
    await engine.close();
  }
});
