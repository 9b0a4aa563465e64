// engine: skopeo trusts what the native client trusts. A registry whose CA is given by
// NODE_EXTRA_CA_CERTS (and no caFile) was planned fine by the native client, then every skopeo
// copy to it failed with Go's bare "x509: certificate signed by unknown authority" (exit 1): Go
// never reads NODE_EXTRA_CA_CERTS. Its certificates now go into the cert dir skopeo is given.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let digest: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ tls: true })]);
  dir = await scratchDir('skopeo-node-extra');
  const [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 2 });
  digest = image!.digest;
});

after(async () => {
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
});

test('a target trusted through NODE_EXTRA_CA_CERTS alone is copied to by skopeo too', async () => {
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/mirror]
  engine: skopeo
registries:
  ${target.host}: { tls: verify }
images:
  - source: ${source.host}/jetstack/app
`);
  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { NODE_EXTRA_CA_CERTS: (await testCerts()).caFile } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.doesNotMatch(run.stderr, /x509/);
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:v1.0.0`), digest);
});
