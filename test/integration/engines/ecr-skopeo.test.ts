// engine: skopeo against the ECR personality: ECR does not create a repository on push, and
// skopeo's words for that ("initiating layer upload … name unknown") named neither the repository
// to create nor how. The row must say what the native engine says, with the same outcome, and
// the same sync completes once the repository exists. An index retargeted on an immutable
// repository is refused (TAG_INVALID), which skopeo's last line hides: the row must say it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { retag, seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import type { SyncReport } from '../../../src/report/model.js';
import { digestDifferences } from '../reliability/helpers.js';
import { mirrorsYaml, open } from '../personalities/fixtures.js';

describe('engine: skopeo against ECR', () => {
  let src: RunningRegistry;
  let target: RunningRegistry;
  before(async () => {
    [src, target] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
    await seedImage(open(src), { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
    await seedImage(open(src), { repository: 'jetstack/missing', tags: ['v3.0.0'], format: 'oci', single: true });
    await seedImage(open(src), { repository: 'jetstack/moving', tags: ['v1.0.0', 'v1.0.1'], format: 'oci', platforms: 2 });
  });
  after(() => Promise.all([src, target].map((r) => destroyRegistry(r))));

  it('a repository ECR lacks fails its tag with the native engine\'s words (repository to create, and how); once created, the sync completes', async () => {
    const e = ecr({ repositories: ['skopeo/app', 'native/app'] });
    const proxy = await proxyFor(target, { personalities: [e.personality] });
    after(() => proxy.close());
    const dir = await scratchDir('ecr-skopeo');
    const sync = async (engine: 'native' | 'skopeo', run: string) => {
      const yaml = mirrorsYaml(src, target, engine, ['jetstack/app', 'jetstack/missing']).replace('defaults:\n', `defaults:\n  engine: ${engine}\n`);
      const config = await writeConfig(join(dir, engine), yaml);
      const report = join(dir, `${engine}-${run}.json`);
      const result = await runCli(['sync', '-c', config, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--report', report]);
      const rows = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results.flatMap((r) => r.targets.map((t) => ({ ...t, tag: r.tag })));
      return { ...result, rows };
    };

    const [native, skopeo] = [await sync('native', '1'), await sync('skopeo', '1')];
    assert.equal(skopeo.exitCode, native.exitCode, skopeo.stderr + skopeo.stdout);
    assert.equal(skopeo.exitCode, 1);
    const failed = (rows: typeof skopeo.rows) => rows.filter((r) => r.action === 'failed');
    assert.deepEqual(failed(skopeo.rows).map((r) => r.tag), ['v3.0.0']);
    const detail = failed(skopeo.rows)[0]!.detail;
    // Failed as its listing heard ECR say the repository does not exist, before skopeo runs (sync/tag-target.ts).
    assert.match(detail, new RegExp(`^${target.host}: repository skopeo/missing does not exist and this registry does not create repositories on push; create it first \\(on Amazon ECR: aws ecr create-repository --repository-name skopeo/missing\\), then run regmirror again$`));
    assert.equal(detail, failed(native.rows)[0]!.detail.replaceAll('native/', 'skopeo/'), 'the same words as the native engine');
    assert.deepEqual(skopeo.rows.map((r) => r.action).sort(), native.rows.map((r) => r.action).sort());
    assert.deepEqual((await digestDifferences(src, 'jetstack/app', [[target, 'skopeo/app']])).wrong, []);

    e.create('skopeo/missing');
    const again = await sync('skopeo', '2');
    assert.equal(again.exitCode, 0, again.stderr + again.stdout);
    assert.deepEqual((await digestDifferences(src, 'jetstack/missing', [[target, 'skopeo/missing']])).wrong, []);
  });

  it('an index --force retargets on an immutable repository fails with the registry\'s TAG_INVALID words, not "skopeo cannot copy this manifest"', async () => {
    const e = ecr({ repositories: ['skopeo/moving', 'native/moving'] });
    const proxy = await proxyFor(target, { personalities: [e.personality] });
    after(() => proxy.close());
    const dir = await scratchDir('ecr-skopeo-immutable');
    const configs = new Map<string, string>();
    for (const engine of ['native', 'skopeo']) {
      const yaml = mirrorsYaml(src, target, engine, ['jetstack/moving']).replace('defaults:\n', `defaults:\n  engine: ${engine}\n`);
      configs.set(engine, await writeConfig(join(dir, engine), yaml));
    }
    const sync = async (engine: string, run: string, ...extra: string[]) => {
      const report = join(dir, `${engine}-${run}.json`);
      const result = await runCli(['sync', '-c', configs.get(engine)!, '--endpoint', `${target.host}=${proxy.url}`, '--no-progress', '--report', report, ...extra]);
      const rows = (JSON.parse(await readFile(report, 'utf8')) as SyncReport).results.flatMap((r) => r.targets.map((t) => ({ ...t, tag: r.tag })));
      return { ...result, rows };
    };
    for (const engine of ['native', 'skopeo']) {
      const first = await sync(engine, '1');
      assert.equal(first.exitCode, 0, first.stderr + first.stdout);
    }

    await retag(open(src), 'jetstack/moving', 'v1.0.1', 'v1.0.0');
    const [native, skopeo] = [await sync('native', '2', '--force'), await sync('skopeo', '2', '--force')];
    assert.equal(skopeo.exitCode, native.exitCode, skopeo.stderr + skopeo.stdout);
    assert.equal(skopeo.exitCode, 1);
    const failed = skopeo.rows.filter((r) => r.action === 'failed');
    assert.deepEqual(failed.map((r) => r.tag), ['v1.0.0']);
    assert.equal(e.stats.tagPutsRefused >= 2, true, 'both engines PUT the tag and were refused');
    const detail = failed[0]!.detail;
    assert.match(detail, /tag invalid: The image tag 'v1\.0\.0' already exists in the 'skopeo\/moving' repository and cannot be overwritten because the repository is immutable\./);
    assert.doesNotMatch(detail, /engine: native` can|Instructed to preserve digests/, 'engine: native cannot retarget an immutable tag either');
    // What the user can do there, as the native engine's row says it.
    const advice = /its tags are immutable, so v1\.0\.0 keeps the digest it has there; to retarget it, delete the tag at that registry \(ECR: aws ecr batch-delete-image --image-ids imageTag=v1\.0\.0\) or make the repository's tags mutable, then run sync --force again/;
    assert.match(detail, advice);
    assert.match(native.rows.find((r) => r.action === 'failed')!.detail, advice);
  });
});
