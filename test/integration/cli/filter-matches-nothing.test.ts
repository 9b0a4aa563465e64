// A --filter glob with a typo (`verify --filter 'cert-manger-*'`) selected nothing, and every
// command ended "0 drift" / "0 failed", exit 0: at 3 a.m. that reads as "all in sync". A glob that
// matches no image or binary of mirrors.yaml is now a usage error (exit 2) naming it and the names
// there, for every command that takes --filter. The config decides, not --shard: an empty shard
// of a filter that does match stays an ordinary, quiet exit 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;

before(async () => {
  reg = await startRegistry({});
  await seedImage({ url: reg.url }, { repository: 'jetstack/cert-manager-controller', tags: ['v1.0.0'], format: 'oci', single: true, seed: 'controller' });
});

after(async () => reg?.stop());

async function config(): Promise<string> {
  return writeConfig(await scratchDir('filter-nothing'), `version: 1
defaults:
  targets: [${reg.host}/cert-manager]
images:
  - source: ${reg.host}/jetstack/cert-manager-controller
binaries:
  - name: cmctl
    artifactType: application/vnd.cert-manager.cmctl.v1
    files: ["cmctl-*.tar.gz"]
`);
}

test('a --filter that matches nothing is exit 2 naming the glob and the names there, for every command', async () => {
  const file = await config();
  for (const command of ['verify', 'plan', 'sync', 'publish', 'validate']) {
    const extra = command === 'validate' ? [] : ['--no-progress', ...(command === 'publish' ? ['--tag', 'v1.0.0'] : [])];
    const run = await runCli([command, '-c', file, '--filter', 'cert-manger-*', ...extra]);
    assert.equal(run.exitCode, 2, `${command}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /--filter "cert-manger-\*" matches no image or binary in .*mirrors\.yaml \(its names: cert-manager-controller, cmctl;/, command);
    assert.equal(run.stdout, '', command);
  }
  // One good glob does not excuse a typo beside it.
  const both = await runCli(['verify', '-c', file, '--filter', 'cert-manager-*', '--filter', 'cmtcl', '--no-progress']);
  assert.equal(both.exitCode, 2, both.stderr);
  assert.match(both.stderr, /--filter "cmtcl" matches no image or binary/);
});

test('a --filter naming only a binary is no typo for sync, and empty shards stay a quiet exit 0', async () => {
  const file = await config();
  const binary = await runCli(['sync', '-c', file, '--filter', 'cmctl', '--no-progress']);
  assert.equal(binary.exitCode, 0, binary.stderr);
  assert.doesNotMatch(binary.stderr, /--filter/);
  // One (repository, tag) item: of 4 shards, three are empty.
  const codes = [];
  for (let k = 1; k <= 4; k++) {
    const run = await runCli(['verify', '-c', file, '--filter', 'cert-manager-*', '--shard', `${k}/4`, '--no-progress', '--format', 'json']);
    assert.doesNotMatch(run.stderr, /--filter|warning/i, `shard ${k}/4`);
    codes.push(run.exitCode);
    assert.ok(run.exitCode === 0 || run.exitCode === 1, `shard ${k}/4: ${run.stderr}`);
  }
  assert.equal(codes.filter((c) => c === 1).length, 1, 'the one item (missing at the target) is in exactly one shard');
});
