// A registry's `caFile` is an extra CA for it (SPEC), on top of what the process trusts, and that
// includes NODE_EXTRA_CA_CERTS (a company's root, trusted for every registry at once). A caFile
// used to replace that: a registry that worked through NODE_EXTRA_CA_CERTS failed as "not trusted
// with the caFile" as soon as a caFile was added for something else (its token service's CA),
// while skopeo, whose cert dir adds to the system roots, kept working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { testCerts } from '../../harness/tls.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';

let source: RunningRegistry;
let target: RunningRegistry;
let dir: string;
let digest: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true }), startRegistry()]);
  dir = await scratchDir('cafile-extra-ca');
  const [image] = await seedImage({ url: source.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', platforms: 1 });
  digest = image!.digest;
});

after(async () => {
  await Promise.all([source, target].filter(Boolean).map((r) => destroyRegistry(r)));
});

test('a caFile that does not hold the registry\'s CA keeps the CA given by NODE_EXTRA_CA_CERTS', async () => {
  const certs = await testCerts();
  // The self-signed certificate: a valid PEM CA, but not the one that signed the source's.
  const file = await writeConfig(dir, `version: 1
defaults:
  targets: [${target.host}/mirror]
registries:
  ${source.host}:
    caFile: ${certs.servers.selfSigned.cert}
images:
  - source: ${source.host}/jetstack/app
`);
  const alone = await runCli(['plan', '-c', file, '--no-progress']);
  assert.equal(alone.exitCode, 3, 'the caFile alone does not trust it: the test means something');
  assert.match(alone.stderr, /not trusted \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY[;)].* with the `caFile`/);

  const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { NODE_EXTRA_CA_CERTS: certs.caFile } });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout);
  assert.equal(await skopeoDigest(`${target.host}/mirror/app:v1.0.0`), digest);
});
