// Chunked uploads into a registry that keeps each upload's offset with its session and checks
// Content-Range (the OCI spec; zot, quay), stating 1 MiB chunks on every session it opens, the
// sessions a mount opens (202) included; skopeo judges every digest. The 6 MiB layer is 7 PATCHes,
// 9 with the config and the small layer. A fault proxy sits in front of the registry, as a proxy
// in front of a registry does: an answer lost there (a 502 after the chunk was stored, a reset)
// leaves the chunk stored all the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../../harness/fault-proxy.js';
import { testCerts } from '../../harness/tls.js';
import { sessionOffsets, type SessionOffsetStats } from '../../harness/personalities/session-offsets.js';
import { runCli, writeConfig, type CliResult } from '../../harness/cli.js';
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

  /** A sync into `namespace` with `fault` on the fifth PATCH; what the proxy and the registry saw. */
  async function chunkedSync(namespace: string, fault?: Fault): Promise<{ run: CliResult; patches: number; registry: SessionOffsetStats; proxy: FaultProxy }> {
    const registry = sessionOffsets(MiB);
    const front = await proxyFor(target, { personalities: [registry.personality] });
    const proxy = await startFaultProxy(front.url, { tls: (await testCerts()).servers.good, upstreamCa: target.caFile });
    if (fault) proxy.inject({ method: 'PATCH', path: /\/blobs\/uploads\//, skip: 4, fault });
    const config = await writeConfig(await scratchDir('chunk-sessions'), mirrorsYaml(src, target, namespace, ['jetstack/app']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress']).finally(() => Promise.all([proxy.close(), front.close()]));
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[target, `${namespace}/app`]])).wrong, []);
    return { run, patches: proxy.stats.log.filter((x) => x.method === 'PATCH').length, registry: registry.stats, proxy };
  }

  it('sends chunks of the size a mount\'s session states', async () => {
    const { patches } = await chunkedSync('stated');
    assert.equal(patches, 9, 'the config, the small layer and 7 chunks of the 6 MiB layer');
  });

  // Sent again blind, the stored chunk was refused 416 and read as a refused size: 'it refused
  // PATCH chunks of 1 MiB (416) and no other chunk size is left to try', exit 1.
  for (const [name, status] of [['a 502', 502], ['a reset', 0]] as const) {
    it(`goes on from the bytes the session holds when ${name} replaced the answer to a stored chunk`, async () => {
      const { patches, registry, proxy } = await chunkedSync(`lost${status}`, { kind: 'lost', status });
      assert.equal(proxy.stats.injected.lost, 1);
      assert.equal(registry.outOfOrder, 0, 'no chunk sent where the session did not stand');
      assert.equal(registry.statusAsked, 1, 'the session asked once where it stands');
      assert.equal(patches, 9, 'no chunk sent twice');
    });
  }

  it('sends again only the chunk a proxy cut before the registry stored it', async () => {
    const { patches, registry, proxy } = await chunkedSync('cut', { kind: 'cutRequest', afterBytes: 512 * 1024 });
    assert.equal(proxy.stats.injected.cutRequest, 1);
    assert.equal(registry.outOfOrder, 0);
    assert.equal(patches, 10, 'the cut chunk once more');
  });
});
