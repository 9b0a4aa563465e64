// `regmirror publish` against the ECR personality (immutable tags) with a transient failure: the
// tag PUT lands but its answer is lost (a gateway gives up: 504), the client PUTs again, and ECR
// refuses that as TAG_INVALID ("cannot be overwritten because the repository is immutable"), even
// for the same digest. The tag is in place at the digest being pushed: the push is done, and the
// row says copied (it failed with the refusal before; registry/manifest-put.ts reads it back).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { proxyFor, registriesYaml } from '../../harness/tls-bed.js';
import { ecr } from '../../harness/personalities/ecr.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { getManifestDigest } from '../../harness/seed.js';
import type { SyncReport } from '../../../src/report/model.js';

const FILE = Buffer.from('cmctl linux amd64 release archive\n'.repeat(100));

describe('publish to ECR', () => {
  let reg: RunningRegistry;
  let dir: string;
  before(async () => {
    reg = await startRegistry({ tls: true });
    dir = await scratchDir('publish-ecr');
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'cmctl-linux-amd64.tar.gz'), FILE);
    await writeFile(join(dir, 'checksums.txt'), `${createHash('sha256').update(FILE).digest('hex')}  cmctl-linux-amd64.tar.gz\n`);
  });
  after(() => destroyRegistry(reg));

  const config = (namespace: string, checksums = join(dir, 'checksums.txt')) => writeConfig(join(dir, namespace), `version: 1
defaults:
  targets: [${reg.host}/${namespace}]
${registriesYaml([[reg, { maxAttempts: 2 }]])}binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
    checksums: ${checksums}
`);

  it('a tag PUT whose answer was lost, refused on retry as immutable: the tag is read back, holds the digest, and the row says copied', async () => {
    const e = ecr({ repositories: ['lost/cmctl'] });
    const proxy = await proxyFor(reg, { personalities: [e.personality] });
    after(() => proxy.close());
    // Forwarded and done by the registry, answered 504 by a gateway that gave up waiting.
    proxy.inject({ method: 'PUT', path: /\/manifests\/v1\.2\.3$/, times: 1, fault: { kind: 'lost', status: 504 } });
    const cfg = await config('lost');
    const publish = (n: number) => runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '--format', 'json', '-o', join(dir, `lost-${n}.json`)]);

    const first = await publish(1);
    assert.equal(first.exitCode, 0, first.stderr + first.stdout);
    assert.equal(e.stats.tagPutsRefused, 1, 'the retried tag PUT was refused as immutable');
    const report = JSON.parse(await readFile(join(dir, 'lost-1.json'), 'utf8')) as SyncReport;
    const row = report.results[0]!.targets[0]!;
    assert.equal(row.action, 'copied', row.detail);
    const digest = report.results[0]!.sourceDigest!;
    assert.equal(await getManifestDigest({ url: reg.url }, 'lost/cmctl', 'v1.2.3'), digest, 'the first PUT landed');

    const second = await publish(2);
    assert.equal(second.exitCode, 0, second.stderr + second.stdout);
    assert.equal((JSON.parse(await readFile(join(dir, 'lost-2.json'), 'utf8')) as SyncReport).summary.skipped, 1);
    assert.equal(e.stats.tagPutsRefused, 1, 'the re-run PUT nothing');
  });

  it('other bytes under an immutable tag with --force: the row and the advice say to delete the tag, then run publish --force again (not sync, which publishes nothing)', async () => {
    // publish3 hunt: a release job's second attempt rebuilt cmctl (other bytes) and forced it onto ECR.
    const e = ecr({ repositories: ['immovable/cmctl'] });
    const proxy = await proxyFor(reg, { personalities: [e.personality] });
    after(() => proxy.close());
    const rebuilt = join(dir, 'rebuilt');
    const cfg = await config('immovable', 'checksums.txt'); // beside the files: --dir's own
    await mkdir(rebuilt, { recursive: true });
    const other = Buffer.from('cmctl linux amd64 rebuilt\n'.repeat(100));
    await writeFile(join(rebuilt, 'cmctl-linux-amd64.tar.gz'), other);
    await writeFile(join(dir, 'dist', 'checksums.txt'), await readFile(join(dir, 'checksums.txt')));
    await writeFile(join(rebuilt, 'checksums.txt'), `${createHash('sha256').update(other).digest('hex')}  cmctl-linux-amd64.tar.gz\n`);
    const publish = (from: string, ...more: string[]) => runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', from, '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', ...more]);
    assert.equal((await publish(join(dir, 'dist'))).exitCode, 0);
    const forced = await publish(rebuilt, '--force');
    assert.equal(forced.exitCode, 1, forced.stderr + forced.stdout);
    assert.match(forced.stderr, /cmctl:v1\.2\.3 → .*\/immovable\/cmctl: failed — .*its tags are immutable, so v1\.2\.3 keeps the digest it has there; to retarget it, delete the tag at that registry \(ECR: aws ecr batch-delete-image --image-ids imageTag=v1\.2\.3\) or make the repository's tags mutable, then run `regmirror publish --force` again\n/);
    assert.doesNotMatch(forced.stderr + forced.stdout, /sync --force/);
    assert.match(forced.stdout, /next: tags the registry will not move \(immutable\): delete them there or make its tags mutable, as each line says, then rerun `regmirror publish --force`/);
  });

  it('a repository ECR lacks: the row names it and the command to create it, then says to run regmirror again (not sync, which publishes nothing)', async () => {
    const e = ecr({ repositories: [] });
    const proxy = await proxyFor(reg, { personalities: [e.personality] });
    after(() => proxy.close());
    const cfg = await config('absent');
    const publish = (n: number) => runCli(['publish', '-c', cfg, '--tag', 'v1.2.3', '--dir', join(dir, 'dist'), '--endpoint', `${reg.host}=${proxy.url}`, '--no-progress', '--format', 'json', '-o', join(dir, `absent-${n}.json`)]);
    const first = await publish(1);
    assert.equal(first.exitCode, 1, first.stderr + first.stdout);
    const row = (JSON.parse(await readFile(join(dir, 'absent-1.json'), 'utf8')) as SyncReport).results[0]!.targets[0]!;
    assert.equal(row.action, 'failed');
    assert.match(row.detail, /repository absent\/cmctl does not exist .*aws ecr create-repository --repository-name absent\/cmctl\), then run regmirror again$/);
    e.create('absent/cmctl');
    const second = await publish(2);
    assert.equal(second.exitCode, 0, second.stderr + second.stdout);
  });
});
