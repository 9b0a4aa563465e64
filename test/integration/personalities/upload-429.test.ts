// A registry that answers a blob's first upload PUT 429 with Retry-After: 2 (Docker Hub and quay
// send it on some 429s), behind a TLS front. The host's throttle already held every request to it
// for the 2 s asked (the copier's next whole upload came 2.0 s after each 429), but the copier
// first asked whether the refused blob had landed anyway: a HEAD per 429 to a host that had just
// said it gets too many requests, for a PUT it said it did not take. A 429 is no lost answer now.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { Personality } from '../../harness/fault-proxy.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { MiB, open, seedLarge } from './fixtures.js';

/** Each blob's first upload PUT answered 429 with Retry-After: 2, its bytes read first. */
function firstPutLimited(): Personality {
  const seen = new Set<string>();
  return async (ex) => {
    const digest = /[?&]digest=([^&]+)/.exec(ex.path)?.[1];
    if (ex.method !== 'PUT' || !digest || seen.has(digest)) return false;
    seen.add(digest);
    await ex.readBody();
    ex.fail(429, 'TOOMANYREQUESTS', 'too many requests', { 'retry-after': '2' });
    return true;
  };
}

describe('a registry that answers each blob’s first upload PUT 429 with Retry-After', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedLarge(open(src), 'limited/app', ['v1'], 5 * MiB);
    // A target repository holding a tag already: each blob is asked by HEAD once, then uploaded.
    await seedLarge(open(dst), 'mirror/app', ['old'], 1024);
  });
  after(() => Promise.all([src, dst].filter(Boolean).map(destroyRegistry)));

  it('uploads each blob again without asking whether the refused PUT landed', async () => {
    const proxy = await proxyFor(dst, { personalities: [firstPutLimited()] });
    after(() => proxy.close());
    const yaml = `version: 1\ndefaults:\n  targets: [${dst.host}/mirror]\n${registriesYaml([src, [dst, { maxAttempts: 3 }]])}images:\n  - source: ${src.host}/limited/app\n`;
    const run = await runCli(['sync', '-c', await writeConfig(await scratchDir('upload-429'), yaml), '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    const blobHeads = proxy.stats.log.filter((e) => e.method === 'HEAD' && /\/blobs\/sha256:/.test(e.path)).length;
    const puts = proxy.stats.log.filter((e) => e.method === 'PUT' && /[?&]digest=/.test(e.path)).length;
    assert.equal(puts, 6, `${puts} blob PUTs: two per blob`);
    assert.equal(blobHeads, 3, `${blobHeads} blob HEADs: one presence check per blob, none after a 429`);
  });
});
