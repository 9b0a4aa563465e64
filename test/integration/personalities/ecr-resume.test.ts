// A first sync into ECR that was interrupted (SIGINT, a CI job cancelled) leaves the blobs it had
// uploaded in a repository without tags. The rerun checks such a "cold" repository by self-mount,
// and ECR answers every mount 202 with an upload session, whether it holds the blob or not: the
// rerun used to read and upload every large layer of the first wave again (a 300 MiB layer that
// was already there cost 300 MiB more). A large blob is now confirmed absent by HEAD before its
// bytes go out; skopeo judges the digest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { getManifest, pushBlob } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, seedLarge } from './fixtures.js';

describe('ECR: rerun after an interrupted first sync', () => {
  let src: RunningRegistry;
  let target: RunningRegistry;
  before(async () => {
    [src, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedLarge(open(src), 'jetstack/app', ['v1.0.0'], 12 * MiB);
  });
  after(() => Promise.all([src, target].map((r) => destroyRegistry(r))));

  it('does not upload again a large layer the target already holds', async () => {
    // What the interrupted run left: the large layer at the target, no tag.
    const manifest = JSON.parse((await getManifest(open(src), 'jetstack/app', 'v1.0.0'))!.bytes.toString('utf8')) as { layers: { digest: string; size: number }[] };
    const large = manifest.layers.find((l) => l.size > 4 * MiB)!;
    const bytes = Buffer.from(await (await fetch(`${src.url}/v2/jetstack/app/blobs/${large.digest}`)).arrayBuffer());
    await pushBlob(open(target), 'cert-manager/app', bytes);

    const e = ecr();
    const proxy = await proxyFor(target, { personalities: [e.personality] });
    after(() => proxy.close());
    const dir = await scratchDir('ecr-resume');
    const config = await writeConfig(dir, mirrorsYaml(src, target, 'cert-manager', ['jetstack/app']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress']);
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[target, 'cert-manager/app']])).wrong, []);
    assert.ok(e.stats.mountsAnsweredWithSession > 0, 'the cold repository was checked by self-mount');
    const sent = proxy.stats.log.filter((x) => (x.method === 'PUT' || x.method === 'PATCH') && x.path.includes('/blobs/uploads/') && x.path.includes(large.digest.slice('sha256:'.length)));
    assert.deepEqual(sent, [], 'the layer the target holds is not uploaded again');
    assert.match(run.stderr + run.stdout, /2 blobs uploaded/);
  });
});
