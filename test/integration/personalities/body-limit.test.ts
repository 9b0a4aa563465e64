// A proxy with a request-body limit in front of the target registry (nginx's client_max_body_size,
// 1 MiB unless set): its 413 means "smaller", whoever sends it, so uploads go in chunks halved
// below the refused size until they pass, learned once for the registry (a streamed layer is read
// from the source again for each adaptation, which is not counted as a failed attempt); a limit too small for any chunk
// worth sending is one line naming the proxy's likely setting. A real registry behind the
// personality, skopeo-independent digest checks of what the sync copied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { bodyLimit } from '../../harness/personalities/body-limit.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { digestDifferences } from '../reliability/helpers.js';
import { MiB, mirrorsYaml, open, seedLarge } from './fixtures.js';
import { scratchDir } from '../../harness/scratch.js';

describe('a proxy limiting request bodies (413) in front of the target', () => {
  let src: RunningRegistry;
  let reg: RunningRegistry;
  before(async () => {
    [src, reg] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    // 6 MiB layers, streamed (a refused stream goes back to the copier, which reads the source
    // again under what the policy learned), plus small configs and manifests.
    await seedLarge(open(src), 'jetstack/app', ['v1.0.0', 'v1.0.1'], 6 * MiB);
  });
  after(() => Promise.all([src, reg].filter(Boolean).map(destroyRegistry)));

  async function sync(limit: number, name: string) {
    const { personality, stats } = bodyLimit(limit);
    const proxy = await proxyFor(reg, { personalities: [personality] });
    after(() => proxy.close());
    const config = await writeConfig(await scratchDir(`body-limit-${name}`), mirrorsYaml(src, reg, name, ['jetstack/app']));
    const run = await runCli(['sync', '-c', config, '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '-v']);
    return { run, stats };
  }

  it('nginx\'s default 1 MiB: chunks halved 4, 2, 1 MiB, each a fresh source read of the streamed layer, every digest right', async () => {
    const { run, stats } = await sync(MiB, 'nginx');
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.match(run.stderr, /refused a monolithic upload \(413\): chunked uploads of 4 MiB from now on for blobs over 4 MiB\n(.*\n)*.*refused a chunk of 4 MiB \(413\): chunks of 2 MiB from now on\n(.*\n)*.*refused a chunk of 2 MiB \(413\): chunks of 1 MiB from now on/);
    assert.ok(stats.refused >= 3 && stats.refused <= 8, `refusals: ${stats.refused} (uploads in flight may each meet one before the policy changes)`);
    assert.ok(stats.largestAccepted <= MiB, `largest body let through: ${stats.largestAccepted}`);
    const { checked, wrong } = await digestDifferences(src, 'jetstack/app', [[reg, 'nginx/app']]);
    assert.deepEqual(wrong, []);
    assert.equal(checked, 2);
  });

  // A refused whole PUT sends the layer again in chunks: one retry. -v counted every request of it
  // (the source read, the session, each chunk, the closing PUT: 5 per refused 6 MiB layer).
  it('a 5 MiB limit: each refused whole layer is sent again in 4 MiB chunks, counted as one retry', async () => {
    const { run, stats } = await sync(5 * MiB, 'five');
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.ok(stats.refused >= 1, `refusals: ${stats.refused}`);
    const retries = Number(/(\d+) retr(?:y|ies),/.exec(run.stderr)?.[1]);
    assert.equal(retries, stats.refused, `${retries} retries for ${stats.refused} refused uploads: ${/\d+ requests.*/.exec(run.stderr)?.[0]}`);
    const { wrong } = await digestDifferences(src, 'jetstack/app', [[reg, 'five/app']]);
    assert.deepEqual(wrong, []);
  });

  it('a 200 KB limit: halved again below each refused size until chunks pass', async () => {
    const { run } = await sync(200_000, 'small');
    assert.equal(run.exitCode, 0, run.stderr + run.stdout);
    assert.match(run.stderr, /refused a chunk of 256 KiB \(413\): chunks of 128 KiB from now on/);
    const { wrong } = await digestDifferences(src, 'jetstack/app', [[reg, 'small/app']]);
    assert.deepEqual(wrong, []);
  });

  it('a limit under 64 KiB: the layers fail in one line that points at the proxy\'s setting', async () => {
    const { run } = await sync(30_000, 'tiny');
    assert.equal(run.exitCode, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /refused request bodies of 64 KiB and more \(413\), and chunks smaller than 64 KiB are not worth sending: a proxy in front of the registry may limit request bodies \(nginx: client_max_body_size\)/);
  });
});
