// Google Artifact Registry refuses PATCH: uploads are monolithic first, and a client that was
// chunking goes back to one PUT for the rest of the run; a real registry behind the personality,
// skopeo judging what a sync copied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { gar } from '../../harness/personalities/gar.js';
import { digestOf } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { testClient } from '../registry/helpers.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, patternBytes, seedLarge } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

describe('GAR: no chunked uploads', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ tls: true });
  });
  after(() => destroyRegistry(reg));

  it('a refused PATCH turns a chunking client to monolithic uploads, remembered for the registry', async () => {
    const g = gar();
    const proxy = await proxyFor(reg, { personalities: [g.personality] });
    after(() => proxy.close());
    const client = testClient(reg, undefined, { endpoints: new Map([[reg.host, proxy.url]]), testing: { forceChunkedUploads: true } });
    after(() => client.close());
    const repo = client.repository(reg.host, 'gar/app', 'push');
    for (const seed of ['a', 'b']) {
      const bytes = patternBytes(seed, 6 * MiB);
      await repo.pushBlob({ mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length }, bytes);
      const res = await fetch(`${reg.url}/v2/gar/app/blobs/${digestOf(bytes)}`);
      assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), digestOf(bytes));
    }
    assert.equal(g.stats.patchesRefused, 1, 'the second blob sent no PATCH');
  });

  it('a sync of 12 MiB layers sends no PATCH and ends with every digest right', async () => {
    const src = await startRegistry({ tls: true });
    after(() => destroyRegistry(src));
    const g = gar();
    const proxy = await proxyFor(reg, { personalities: [g.personality] });
    after(() => proxy.close());
    await seedLarge(open(src), 'jetstack/big', ['v1.0.0', 'v1.0.1'], 12 * MiB);
    const dir = await scratchDir('gar');
    const config = await writeConfig(dir, mirrorsYaml(src, reg, 'cert-manager', ['jetstack/big']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.equal(g.stats.patchesRefused, 0);
    assert.deepEqual(proxy.stats.log.filter((e) => e.method === 'PATCH'), []);
    const { checked, wrong } = await digestDifferences(src, 'jetstack/big', [[reg, 'cert-manager/big']]);
    assert.deepEqual(wrong, []);
    assert.equal(checked, 2);
  });
});
