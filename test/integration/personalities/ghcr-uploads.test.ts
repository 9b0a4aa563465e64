// ghcr.io refuses request bodies over 4 MiB (416): a large blob goes in chunks of at most 4 MiB,
// learned from the refusals (or from OCI-Chunk-Max-Length) once per registry, while blobs under
// the limit still go whole (one round trip fewer each), against a real
// registry behind the personality, with skopeo judging what a sync copied. A registry named
// ghcr.io is known to limit bodies before its first answer (documented-limits.ts): no refusal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { ghcrUploads, GHCR_MAX_BODY } from '../../harness/personalities/ghcr-uploads.js';
import { digestOf } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { testClient } from '../registry/helpers.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, patternBytes, seedLarge } from './fixtures.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { gar } from '../../harness/personalities/gar.js';
import { scratchDir } from '../../harness/scratch.js';

const blob = (seed: string, size: number) => {
  const bytes = patternBytes(seed, size);
  return { bytes, desc: { mediaType: 'application/octet-stream', digest: digestOf(bytes), size } };
};

async function readBack(reg: RunningRegistry, repo: string, digest: string): Promise<string> {
  const res = await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`);
  return digestOf(Buffer.from(await res.arrayBuffer()));
}

describe('ghcr.io uploads: bodies over 4 MiB refused', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ tls: true });
  });
  after(() => destroyRegistry(reg));

  async function behind(advertise: boolean): Promise<{ proxy: FaultProxy; stats: ReturnType<typeof ghcrUploads>['stats'] }> {
    const g = ghcrUploads({ advertise });
    const proxy = await proxyFor(reg, { personalities: [g.personality] });
    after(() => proxy.close());
    return { proxy, stats: g.stats };
  }

  /**
   * A sync of `tags` (a small layer and one of `largeBytes` each) from a new TLS source to a target
   * named ghcr.io, reached at `proxy` (--endpoint): what the documented limit is known for.
   */
  async function syncToGhcrIo(proxy: FaultProxy, repo: string, tags: string[], largeBytes: number) {
    const src = await startRegistry({ tls: true });
    after(() => destroyRegistry(src));
    await seedLarge(open(src), `jetstack/${repo}`, tags, largeBytes);
    const dir = await scratchDir(`ghcr-${repo}`);
    const config = await writeConfig(dir, `version: 1
defaults:
  targets: [ghcr.io/cert-manager]
${registriesYaml([src, { host: 'ghcr.io', caFile: reg.caFile }])}images:
  - source: ${src.host}/jetstack/${repo}
`);
    const run = await runCli(['sync', '-c', config, '--endpoint', `ghcr.io=${proxy.url}`, '--no-progress', '-v']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    const { checked, wrong } = await digestDifferences(src, `jetstack/${repo}`, [[reg, `cert-manager/${repo}`]]);
    assert.deepEqual(wrong, []);
    assert.equal(checked, tags.length);
    return run;
  }

  it('learns from the refusals to send chunks of 4 MiB, once for the registry', async () => {
    const { proxy, stats } = await behind(false);
    const client = testClient(reg, undefined, { endpoints: new Map([[reg.host, proxy.url]]) });
    after(() => client.close());
    const repo = client.repository(reg.host, 'ghcr/app', 'push');
    const [a, b] = [blob('a', 12 * MiB), blob('b', 10 * MiB)];
    await repo.pushBlob(a.desc, a.bytes);
    assert.deepEqual(stats.refused, { PUT: 1, PATCH: 1 }, 'one whole PUT and one 8 MiB chunk refused');
    await repo.pushBlob(b.desc, b.bytes);
    assert.deepEqual(stats.refused, { PUT: 1, PATCH: 1 }, 'the second blob goes straight to 4 MiB chunks');
    assert.equal(stats.largestAccepted, GHCR_MAX_BODY);
    // Under the limit a blob still goes whole, POST + PUT: chunked it took a PATCH more (mixed hunt).
    const patches = () => proxy.stats.log.filter((e) => e.method === 'PATCH').length;
    const before = patches();
    const small = blob('s', 3 * MiB);
    await repo.pushBlob(small.desc, small.bytes);
    assert.equal(patches(), before, 'a 3 MiB blob goes in one PUT');
    assert.deepEqual(stats.refused, { PUT: 1, PATCH: 1 });
    assert.equal(await readBack(reg, 'ghcr/app', a.desc.digest), a.desc.digest);
    assert.equal(await readBack(reg, 'ghcr/app', b.desc.digest), b.desc.digest);
    assert.equal(await readBack(reg, 'ghcr/app', small.desc.digest), small.desc.digest);
  });

  it('a blob between 4 and 8 MiB (one short last chunk over the limit) shrinks to 4 MiB chunks too', async () => {
    const { proxy, stats } = await behind(false);
    const client = testClient(reg, undefined, { endpoints: new Map([[reg.host, proxy.url]]) });
    after(() => client.close());
    const d = blob('d', 6 * MiB);
    await client.repository(reg.host, 'ghcr/mid', 'push').pushBlob(d.desc, d.bytes);
    assert.deepEqual(stats.refused, { PUT: 1, PATCH: 1 }, 'the whole PUT and the 6 MiB chunk refused, then 4 MiB + 2 MiB');
    assert.equal(await readBack(reg, 'ghcr/mid', d.desc.digest), d.desc.digest);
  });

  it('takes OCI-Chunk-Max-Length as the chunk bound when the registry states it', async () => {
    const { proxy, stats } = await behind(true);
    const client = testClient(reg, undefined, { endpoints: new Map([[reg.host, proxy.url]]) });
    after(() => client.close());
    const c = blob('c', 9 * MiB);
    await client.repository(reg.host, 'ghcr/stated', 'push').pushBlob(c.desc, c.bytes);
    assert.deepEqual(stats.refused, { PUT: 1, PATCH: 0 });
    assert.equal(await readBack(reg, 'ghcr/stated', c.desc.digest), c.desc.digest);
  });

  it('a sync of 12 MiB layers (streamed, not replayable) ends with every digest right', async () => {
    const src = await startRegistry({ tls: true });
    after(() => destroyRegistry(src));
    const { proxy, stats } = await behind(false);
    await seedLarge(open(src), 'jetstack/big', ['v1.0.0', 'v1.0.1'], 12 * MiB);
    const dir = await scratchDir('ghcr');
    const config = await writeConfig(dir, mirrorsYaml(src, reg, 'cert-manager', ['jetstack/big']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '-v']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.ok(stats.refused.PATCH >= 1, 'an 8 MiB chunk was refused');
    assert.equal(stats.largestAccepted, GHCR_MAX_BODY, 'nothing over 4 MiB got through');
    assert.match(run.stderr, /refused a chunk of 8 MiB \(416\): chunks of 4 MiB from now on/);
    const { checked, wrong } = await digestDifferences(src, 'jetstack/big', [[reg, 'cert-manager/big']]);
    assert.deepEqual(wrong, []);
    assert.equal(checked, 2);
  });

  it('a target named ghcr.io gets 4 MiB chunks from its first upload: no body refused, none sent twice', async () => {
    const { proxy, stats } = await behind(false);
    const run = await syncToGhcrIo(proxy, 'named', ['v1.0.0', 'v1.0.1', 'v1.0.2'], 10 * MiB);
    assert.deepEqual(stats.refused, { PUT: 0, PATCH: 0 }, 'no body over 4 MiB was sent');
    assert.equal(stats.largestAccepted, GHCR_MAX_BODY);
    assert.equal(run.stderr.match(/ghcr\.io takes no request body over 4 MiB \(documented: 416 over it\): blobs over 4 MiB go in chunks of 4 MiB/g)?.length, 1, run.stderr);
    // Each 10 MiB layer in 3 PATCHes (4 + 4 + 2 MiB); the configs and small layers whole (PUT with bytes).
    assert.equal(proxy.stats.log.filter((e) => e.method === 'PATCH').length, 9);
  });

  it('a registry named ghcr.io that refuses PATCH (not the one documented) gets whole PUTs after its first refusal', async () => {
    const g = gar();
    const proxy = await proxyFor(reg, { personalities: [g.personality] });
    after(() => proxy.close());
    const run = await syncToGhcrIo(proxy, 'lookalike', ['v1.0.0', 'v1.0.1'], 6 * MiB);
    assert.match(run.stderr, /ghcr\.io refused a PATCH \(405\): monolithic uploads from now on/);
    // The layers in flight at the first refusal each had one PATCH refused; none after it.
    const patched = g.stats.patchesRefused;
    assert.ok(patched >= 1 && patched <= 2, `${patched} PATCHes refused`);
    const wholePuts = proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/')).length;
    assert.ok(wholePuts >= 6, `${wholePuts} whole PUTs: every config and layer, the 6 MiB ones too`);
  });
});
