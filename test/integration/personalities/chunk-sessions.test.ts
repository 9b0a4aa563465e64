// Chunked uploads into a registry that keeps each upload's offset with its session and checks
// Content-Range (the OCI spec; zot, quay), stating 1 MiB chunks on every session it opens, the
// sessions a mount opens (202) included; skopeo judges every digest. The 6 MiB layer is 7 PATCHes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { sessionOffsets } from '../../harness/personalities/session-offsets.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, seedLarge } from './fixtures.js';

describe('chunked uploads into a registry that keeps offsets with the session', () => {
  let src: RunningRegistry;
  let target: RunningRegistry;
  before(async () => {
    [src, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedLarge(open(src), 'jetstack/app', ['v1'], 6 * MiB);
  });
  after(() => Promise.all([src, target].map((r) => destroyRegistry(r))));

  it('sends chunks of the size a mount\'s session states', async () => {
    const registry = sessionOffsets(MiB);
    const proxy = await proxyFor(target, { personalities: [registry.personality] });
    after(() => proxy.close());
    const config = await writeConfig(await scratchDir('chunk-sessions'), mirrorsYaml(src, target, 'stated', ['jetstack/app']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[target, 'stated/app']])).wrong, []);
    const patches = proxy.stats.log.filter((x) => x.method === 'PATCH').length;
    assert.equal(patches, 9, 'the config, the small layer and 7 chunks of the 6 MiB layer');
  });
});
