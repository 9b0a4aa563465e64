// A registry behind a proxy that ends TLS without saying so names its upload sessions on http://
// (goharbor/harbor#6405). regmirror said so in one clear line, but went on opening sessions: each
// blob's upload was started again maxAttempts times, with pauses between, though every session
// is placed the same way (23 s and 2,860 POSTs for 130 small tags, for nothing). The downgraded
// location is now a lasting failure, like a refused certificate: one session per blob, each tag
// failed at once with the line that says what to set, nothing written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { tlsEndingProxy } from '../../harness/personalities/tls-ending.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { mirrorsYaml, open } from './fixtures.js';

describe('a TLS-ending proxy that does not say so (upload locations on http://)', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  before(async () => {
    [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  });
  after(async () => {
    await Promise.all([destroyRegistry(src), destroyRegistry(dst)]);
  });

  it('one session per blob, every tag failed with the line that says what to set', async () => {
    const images = await seedImage(open(src), { repository: 'harbor/app', tags: ['v1', 'v2', 'v3'], format: 'oci', single: true });
    const blobs = new Set(images.flatMap((i) => i.blobDigests)).size;
    const stats = { sessions: 0 };
    const proxy = await proxyFor(dst, { personalities: [tlsEndingProxy(stats)] });
    after(() => proxy.close());
    const config = await writeConfig(await scratchDir('tls-ending'), mirrorsYaml(src, dst, 'mirror', ['harbor/app']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${dst.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    assert.match(run.stderr, new RegExp(`upload location ${dst.host} gave, on plain http:// although ${dst.host} is reached over https://: .*X-Forwarded-Proto`));
    assert.equal((run.stderr.match(/→ .*: failed — /g) ?? []).length, 3, run.stderr);
    assert.ok(stats.sessions <= blobs, `${stats.sessions} upload sessions for ${blobs} blobs: each was started again though it could only fail the same way`);
    assert.deepEqual(proxy.stats.log.filter((e) => e.method === 'PUT' && /\/manifests\//.test(e.path)), [], 'no manifest written');
  });
});
